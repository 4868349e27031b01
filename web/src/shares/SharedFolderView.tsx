import {
  ActionIcon,
  Alert,
  Anchor,
  Breadcrumbs,
  Button,
  Center,
  Group,
  Loader,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useInViewport } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Download, FolderOpen } from 'lucide-react';
import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/client';
import { shareSource, type ContentSource } from '../api/content-source';
import { PAGE_SIZE } from '../files/useFolder';
import { PreviewModal } from '../preview/PreviewModal';
import { Thumbnail } from '../preview/Thumbnail';
import { messageOf } from '../ui/errors';
import { formatBytes, formatDate } from '../ui/format';
import { segments } from '../ui/paths';
import { ShareFacts } from './ShareFacts';
import { shareListKey, sharePath, shareProblemOf } from './share-problems';
import type { SharedEntry, SharedInfo, SharedPage } from './share-types';
import { ShareUnlockForm } from './ShareUnlockForm';
import classes from './SharedFolderView.module.css';

/** The route of a folder inside a share ("/s/<token>/a/b"), each segment encoded. */
export function shareRoute(token: string, path: string): string {
  const parts = segments(path).map(encodeURIComponent);
  return [`/s/${encodeURIComponent(token)}`, ...parts].join('/');
}

export interface SharedFolderViewProps {
  token: string;
  info: SharedInfo;
  /** The folder shown, relative to the shared folder ("/" is the shared folder). */
  path: string;
}

/** A shared folder: breadcrumbs inside the share, its entries page by page, previews, downloads. */
export function SharedFolderView({ token, info, path }: SharedFolderViewProps) {
  const { t } = useTranslation('share');
  const navigate = useNavigate();
  const source = useMemo(() => shareSource(token), [token]);
  const list = useInfiniteQuery({
    queryKey: shareListKey(token, path),
    queryFn: ({ pageParam, signal }) =>
      api<SharedPage>(sharePath(token, '/list'), {
        query: { path, cursor: pageParam, limit: PAGE_SIZE },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = useMemo(() => list.data?.pages.flatMap((page) => page.entries) ?? [], [list.data]);
  const total = list.data?.pages.at(-1)?.total ?? entries.length;
  const [selected, setSelected] = useState<string | null>(null);
  const [preview, setPreview] = useState<SharedEntry | null>(null);

  // Infinite scroll: the sentinel under the list asks for the next page when it comes into view.
  const { ref: sentinel, inViewport } = useInViewport();
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    if (inViewport && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [inViewport, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const open = (entry: SharedEntry) => {
    if (entry.kind === 'dir') navigate(shareRoute(token, entry.path));
    else setPreview(entry);
  };

  let body;
  if (list.isPending) {
    body = (
      <Center py="xl">
        <Loader />
      </Center>
    );
  } else if (list.error) {
    const problem = shareProblemOf(list.error);
    if (problem === 'locked') return <ShareUnlockForm token={token} name={info.name} />;
    body = (
      <Alert color="red" title={problem === 'notFound' ? t('public.folderNotFound') : t('public.loadFailed')}>
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{messageOf(list.error)}</Text>
          {path !== '/' && (
            <Anchor component={Link} to={shareRoute(token, '/')} size="sm">
              {t('public.backToShare')}
            </Anchor>
          )}
        </Stack>
      </Alert>
    );
  } else if (entries.length === 0) {
    body = (
      <Stack align="center" gap="xs" py={48}>
        <FolderOpen size={40} color="var(--mantine-color-dimmed)" />
        <Text c="dimmed">{t('public.emptyFolder')}</Text>
      </Stack>
    );
  } else {
    body = (
      <div className={classes.list} role="grid" aria-label={info.name}>
        {entries.map((entry) => (
          <SharedRow
            key={entry.path}
            entry={entry}
            source={source}
            selected={selected === entry.path}
            onSelect={() => setSelected(entry.path)}
            onOpen={() => open(entry)}
          />
        ))}
      </div>
    );
  }

  const crumbs = segments(path);
  return (
    <Stack gap="sm">
      <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-end">
        <Breadcrumbs
          data-testid="breadcrumbs"
          separatorMargin={6}
          style={{ flexWrap: 'wrap', minWidth: 0, rowGap: 4 }}
        >
          <Anchor component={Link} to={shareRoute(token, '/')} fw={crumbs.length === 0 ? 600 : undefined}>
            {info.name}
          </Anchor>
          {crumbs.map((name, index) => (
            <Anchor
              key={index}
              component={Link}
              to={shareRoute(token, `/${crumbs.slice(0, index + 1).join('/')}`)}
              fw={index === crumbs.length - 1 ? 600 : undefined}
              style={{ overflowWrap: 'anywhere' }}
            >
              {name}
            </Anchor>
          ))}
        </Breadcrumbs>
        {list.data && (
          <Text size="xs" c="dimmed" style={{ flex: 'none' }} data-testid="entry-count">
            {t('public.items', { count: total })}
          </Text>
        )}
      </Group>
      <ShareFacts info={info} />
      {body}
      {hasNextPage && (
        <Center ref={sentinel}>
          <Button
            variant="default"
            loading={isFetchingNextPage}
            onClick={() => void fetchNextPage()}
            data-testid="share-load-more"
          >
            {t('public.loadMore', { shown: entries.length, total })}
          </Button>
        </Center>
      )}
      <PreviewModal<SharedEntry>
        entry={preview}
        siblings={entries}
        source={source}
        onNavigate={setPreview}
        onClose={() => setPreview(null)}
      />
    </Stack>
  );
}

interface SharedRowProps {
  entry: SharedEntry;
  source: ContentSource;
  selected: boolean;
  onSelect(): void;
  onOpen(): void;
}

/** One entry: a click selects, a double click or Enter opens, the name opens at a click. */
function SharedRow({ entry, source, selected, onSelect, onOpen }: SharedRowProps) {
  const { t, i18n } = useTranslation('share');
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      onOpen();
    } else if (event.key === ' ') {
      event.preventDefault();
      onSelect();
    }
  };
  return (
    <div
      className={classes.row}
      role="row"
      tabIndex={0}
      aria-selected={selected}
      data-testid="entry"
      data-name={entry.name}
      data-kind={entry.kind}
      onClick={onSelect}
      onDoubleClick={onOpen}
      onKeyDown={onKeyDown}
    >
      <Thumbnail entry={entry} source={source} size={32} />
      <UnstyledButton
        className={classes.name}
        role="gridcell"
        title={entry.name}
        onClick={(event) => {
          event.stopPropagation();
          // The second click of a double click: navigation runs in a transition, so this row may
          // still be on screen, and opening again would push the folder twice into the history.
          if (event.detail < 2) onOpen();
        }}
        onDoubleClick={(event) => event.stopPropagation()}
      >
        <Text size="sm" truncate="end">
          {entry.name}
        </Text>
      </UnstyledButton>
      <Text size="sm" c="dimmed" className={classes.size} visibleFrom="xs" role="gridcell">
        {entry.kind === 'file' ? formatBytes(entry.size) : ''}
      </Text>
      <Text size="sm" c="dimmed" className={classes.modified} visibleFrom="sm" role="gridcell">
        {formatDate(entry.modifiedAt, i18n.language)}
      </Text>
      <div role="gridcell" style={{ width: 34, flex: 'none' }}>
        {entry.kind === 'file' && (
          <ActionIcon
            variant="subtle"
            size="lg"
            component="a"
            href={source.contentUrl(entry.path, { download: true })}
            download={entry.name}
            aria-label={t('public.downloadNamed', { name: entry.name })}
            onClick={(event) => event.stopPropagation()}
            onDoubleClick={(event) => event.stopPropagation()}
            data-testid="entry-download"
          >
            <Download size={18} />
          </ActionIcon>
        )}
      </div>
    </div>
  );
}
