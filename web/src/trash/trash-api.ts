import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api } from '../api/client';

/** One deleted item (the shape of src/drive/trash.ts). */
export interface TrashItem {
  id: number;
  name: string;
  kind: 'dir' | 'file';
  size: number;
  trashedAt: number;
  /** Where it was when it was deleted. */
  originalPath: string;
}

interface TrashPage {
  items: TrashItem[];
  nextCursor: string | null;
}

export const TRASH_KEY = ['trash'] as const;

/** The trash, newest first, 200 items a page. */
export function useTrash() {
  return useInfiniteQuery({
    queryKey: TRASH_KEY,
    queryFn: ({ pageParam, signal }) => api<TrashPage>('/trash', { query: { cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export const restoreItem = (id: number) => api<{ path: string }>('/trash/restore', { body: { id } });
export const purgeItem = (id: number) => api<void>('/trash/purge', { body: { id } });
export const emptyTrash = () => api<{ purged: number }>('/trash/empty', { method: 'POST' });

/** After a change: the trash, the folders (a restore brings items back) and the usage (a purge frees it). */
export function useTrashRefresh(): () => Promise<void> {
  const client = useQueryClient();
  return useCallback(async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: TRASH_KEY }),
      client.invalidateQueries({ queryKey: ['list'] }),
      client.invalidateQueries({ queryKey: ['session'] }),
    ]);
  }, [client]);
}
