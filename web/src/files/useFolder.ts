import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client';
import type { Entry, ListPage, SortKey, SortOrder } from '../api/types';

/** Entries per request: a few screens' worth, so a huge folder is read only as far as it is scrolled. */
export const PAGE_SIZE = 200;

export interface Sorting {
  sort: SortKey;
  order: SortOrder;
}

export function listKey(path: string, sorting?: Sorting): unknown[] {
  return sorting ? ['list', path, sorting.sort, sorting.order] : ['list', path];
}

/** A folder, page by page (keyset cursors): `entries` grows as `loadMore` is called. */
export function useFolder(path: string, sorting: Sorting) {
  const query = useInfiniteQuery({
    queryKey: listKey(path, sorting),
    queryFn: ({ pageParam, signal }) =>
      api<ListPage>('/fs/list', {
        query: { path, cursor: pageParam, limit: PAGE_SIZE, sort: sorting.sort, order: sorting.order },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = useMemo<Entry[]>(
    () => query.data?.pages.flatMap((page) => page.entries) ?? [],
    [query.data],
  );
  const reported = query.data?.pages[0]?.total;
  // Without a count from the server, one placeholder row past the end pulls the next page in.
  const total =
    reported !== undefined && reported >= entries.length
      ? reported
      : entries.length + (query.hasNextPage ? 1 : 0);
  return {
    entries,
    total,
    isPending: query.isPending,
    error: query.error,
    hasMore: query.hasNextPage,
    loadMore: () => {
      if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
    },
  };
}
