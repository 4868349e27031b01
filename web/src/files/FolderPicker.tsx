import { Anchor, Breadcrumbs, Button, Group, Loader, Modal, NavLink, ScrollArea, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Folder } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { ListPage } from '../api/types';
import { joinPath, segments } from '../ui/paths';

export interface FolderPickerProps {
  opened: boolean;
  title: string;
  submitLabel: string;
  /** Where browsing starts. */
  start: string;
  /** Folders that may not be chosen (what is being moved, and what is inside it). */
  excluded: string[];
  /** A folder that may be browsed but not chosen (where the items already are, for a move). */
  unchanged?: string | null;
  onSubmit(folder: string): Promise<void>;
  onClose(): void;
}

function isExcluded(path: string, excluded: string[]): boolean {
  return excluded.some((x) => path === x || path.startsWith(`${x}/`));
}

/** Browses folders only (they come first in a listing, so paging stops at the first file). */
export function FolderPicker(props: FolderPickerProps) {
  const { t } = useTranslation();
  const { t: tf } = useTranslation('files');
  const [folder, setFolder] = useState(props.start);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (props.opened) setFolder(props.start);
  }, [props.opened, props.start]);

  const query = useInfiniteQuery({
    queryKey: ['list', folder, 'picker'],
    enabled: props.opened,
    queryFn: ({ pageParam }) =>
      api<ListPage>('/fs/list', { query: { path: folder, cursor: pageParam, limit: 500, sort: 'name' } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) =>
      last.nextCursor && last.entries.every((e) => e.kind === 'dir') ? last.nextCursor : undefined,
  });
  const folders = query.data?.pages.flatMap((p) => p.entries.filter((e) => e.kind === 'dir')) ?? [];
  const parts = segments(folder);

  const submit = async () => {
    setBusy(true);
    try {
      await props.onSubmit(folder);
      props.onClose();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={props.title}
      centered
      attributes={{ content: { 'data-testid': 'folder-picker' } }}
    >
      <Breadcrumbs separatorMargin={4} mb="xs">
        <Anchor size="sm" onClick={() => setFolder('/')}>
          {tf('home')}
        </Anchor>
        {parts.map((name, i) => (
          <Anchor key={i} size="sm" onClick={() => setFolder(`/${parts.slice(0, i + 1).join('/')}`)}>
            {name}
          </Anchor>
        ))}
      </Breadcrumbs>
      <ScrollArea h={300} type="auto" offsetScrollbars>
        {query.isPending && <Loader size="sm" m="md" />}
        {!query.isPending && folders.length === 0 && (
          <Text c="dimmed" size="sm" p="md">
            {tf('noSubfolders')}
          </Text>
        )}
        {folders.map((entry) => {
          const path = joinPath(folder, entry.name);
          const disabled = isExcluded(path, props.excluded);
          return (
            <NavLink
              key={entry.id}
              label={entry.name}
              leftSection={<Folder size={18} color="var(--mantine-color-yellow-6)" />}
              disabled={disabled}
              onClick={() => setFolder(path)}
              data-testid="picker-entry"
              data-name={entry.name}
            />
          );
        })}
        {query.hasNextPage && (
          <Button
            variant="subtle"
            size="xs"
            onClick={() => void query.fetchNextPage()}
            loading={query.isFetchingNextPage}
          >
            {tf('loadMore')}
          </Button>
        )}
      </ScrollArea>
      <Group justify="space-between" mt="md" wrap="nowrap">
        <Text size="sm" c="dimmed" truncate="end" title={folder}>
          {folder}
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Button variant="default" onClick={props.onClose}>
            {t('cancel')}
          </Button>
          <Button
            onClick={() => void submit()}
            loading={busy}
            disabled={isExcluded(folder, props.excluded) || folder === props.unchanged}
            data-testid="picker-submit"
          >
            {props.submitLabel}
          </Button>
        </Group>
      </Group>
    </Modal>
  );
}
