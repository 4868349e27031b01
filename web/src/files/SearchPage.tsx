import { Alert, Button, Center, Group, Loader, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { driveSource } from '../api/content-source';
import type { Entry } from '../api/types';
import { PreviewModal } from '../preview/PreviewModal';
import { formatBytes } from '../ui/format';
import { folderRoute, parentOf } from '../ui/paths';
import { FileIcon } from './FileIcon';

interface SearchPage {
  entries: Entry[];
  nextCursor: string | null;
}

/** Files and folders anywhere in the drive whose name contains the words searched. */
export function SearchPage() {
  const { t } = useTranslation('files');
  const [params] = useSearchParams();
  const q = params.get('q') ?? '';
  const navigate = useNavigate();
  const [preview, setPreview] = useState<Entry | null>(null);
  const query = useInfiniteQuery({
    queryKey: ['search', q],
    enabled: q.length > 0,
    queryFn: ({ pageParam }) =>
      api<SearchPage>('/fs/search', { query: { q, cursor: pageParam, limit: 100 } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = query.data?.pages.flatMap((p) => p.entries) ?? [];

  return (
    <Stack p="md" gap="sm" style={{ overflowY: 'auto' }} data-testid="search-page">
      <Title order={2} size="h4">
        {t('searchResults', { q })}
      </Title>
      {query.isPending && q && (
        <Center py="xl">
          <Loader />
        </Center>
      )}
      {query.error && <Alert color="red">{query.error.message}</Alert>}
      {!query.isPending && entries.length === 0 && <Text c="dimmed">{t('noResults')}</Text>}
      {entries.map((entry) => (
        <UnstyledButton
          key={entry.id}
          data-testid="search-result"
          data-name={entry.name}
          onClick={() => (entry.kind === 'dir' ? navigate(folderRoute(entry.path)) : setPreview(entry))}
        >
          <Group
            wrap="nowrap"
            gap="sm"
            py={6}
            style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}
          >
            <FileIcon entry={entry} />
            <Stack gap={0} style={{ minWidth: 0, flex: 1 }}>
              <Text size="sm" truncate="end">
                {entry.name}
              </Text>
              <Text size="xs" c="dimmed" truncate="end">
                {parentOf(entry.path)}
              </Text>
            </Stack>
            <Text size="xs" c="dimmed">
              {entry.kind === 'dir' ? '' : formatBytes(entry.size)}
            </Text>
          </Group>
        </UnstyledButton>
      ))}
      {query.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void query.fetchNextPage()}
          loading={query.isFetchingNextPage}
        >
          {t('loadMore')}
        </Button>
      )}
      <PreviewModal
        entry={preview}
        siblings={entries}
        source={driveSource}
        onNavigate={setPreview}
        onClose={() => setPreview(null)}
      />
    </Stack>
  );
}
