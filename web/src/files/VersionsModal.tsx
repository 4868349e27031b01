import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Modal,
  Paper,
  Stack,
  Text,
  Tooltip,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Download, History } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, contentUrl } from '../api/client';
import type { Entry } from '../api/types';
import { useLastValue } from '../preview/use-last-value';
import { messageOf } from '../ui/errors';
import { notifyDone, notifyError } from '../ui/errors';
import { formatBytes, formatDate } from '../ui/format';

export interface VersionsModalProps {
  entry: Entry | null;
  onClose(): void;
}

/** One version of a file, as GET /api/fs/versions lists them (newest first). */
export interface VersionInfo {
  id: number;
  size: number;
  createdAt: number;
  current: boolean;
}

export const versionsKey = (path: string) => ['versions', path] as const;

/** A file's versions; `path` null: not asked. */
export function useVersions(path: string | null) {
  return useQuery({
    queryKey: versionsKey(path ?? ''),
    queryFn: async ({ signal }) =>
      (await api<{ versions: VersionInfo[] }>('/fs/versions', { query: { path }, signal })).versions,
    enabled: path !== null,
  });
}

/** A file's versions: download any of them, or make an older one current again. */
export function VersionsModal({ entry, onClose }: VersionsModalProps) {
  const { t } = useTranslation('preview');
  const shown = useLastValue(entry);
  return (
    <Modal
      opened={entry !== null}
      onClose={onClose}
      title={t('versions.title')}
      size="lg"
      attributes={{ content: { 'data-testid': 'versions-modal' } }}
    >
      {shown && <VersionList key={shown.path} entry={shown} />}
    </Modal>
  );
}

function VersionList({ entry }: { entry: Entry }) {
  const { t, i18n } = useTranslation('preview');
  const client = useQueryClient();
  const versions = useVersions(entry.path);
  const [confirming, setConfirming] = useState<VersionInfo | null>(null);
  const restore = useMutation({
    mutationFn: (version: VersionInfo) =>
      api('/fs/versions/restore', { body: { path: entry.path, versionId: version.id } }),
    onSuccess: () => {
      setConfirming(null);
      notifyDone(t('versions.restored', { name: entry.name }));
    },
    onError: (error) => notifyError(t('versions.restoreFailed'), error),
    // The file's size and content changed, and the quota with them.
    onSettled: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: versionsKey(entry.path) }),
        client.invalidateQueries({ queryKey: ['list'] }),
        client.invalidateQueries({ queryKey: ['session'] }),
      ]),
  });

  return (
    <Stack gap="sm">
      <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
        {entry.name}
      </Text>
      <Text size="sm" c="dimmed">
        {t('versions.explain')}
      </Text>
      {versions.isPending && (
        <Center py="lg">
          <Loader />
        </Center>
      )}
      {versions.error && (
        <Alert color="red" title={t('versions.loadFailed')}>
          {messageOf(versions.error)}
        </Alert>
      )}
      {versions.data?.map((version) => (
        <Paper
          key={version.id}
          withBorder
          radius="md"
          p="sm"
          data-testid="version-row"
          data-current={version.current}
        >
          <Group justify="space-between" wrap="nowrap" gap="sm">
            <Stack gap={2} style={{ minWidth: 0 }}>
              <Group gap={6}>
                <Text size="sm" fw={500}>
                  {formatDate(version.createdAt, i18n.language)}
                </Text>
                {version.current && (
                  <Badge size="sm" variant="light">
                    {t('versions.current')}
                  </Badge>
                )}
              </Group>
              <Text size="xs" c="dimmed">
                {formatBytes(version.size)}
              </Text>
            </Stack>
            <Group gap={6} wrap="nowrap">
              <Tooltip label={t('download')}>
                <ActionIcon
                  variant="subtle"
                  size="lg"
                  component="a"
                  href={contentUrl(entry.path, { download: true, version: version.id })}
                  download={entry.name}
                  aria-label={t('download')}
                  data-testid="version-download"
                >
                  <Download size={18} />
                </ActionIcon>
              </Tooltip>
              {!version.current && (
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<History size={14} />}
                  onClick={() => setConfirming(version)}
                  disabled={restore.isPending}
                  data-testid="version-restore"
                >
                  {t('versions.restore')}
                </Button>
              )}
            </Group>
          </Group>
          {confirming?.id === version.id && (
            <Alert
              mt="sm"
              color="yellow"
              variant="light"
              data-testid="confirm-dialog"
              title={t('versions.confirmTitle')}
            >
              <Text size="sm" mb="sm">
                {t('versions.confirmText', { date: formatDate(version.createdAt, i18n.language) })}
              </Text>
              <Group justify="flex-end" gap="xs">
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => setConfirming(null)}
                  disabled={restore.isPending}
                >
                  {t('common:cancel')}
                </Button>
                <Button
                  size="xs"
                  loading={restore.isPending}
                  onClick={() => restore.mutate(version)}
                  data-testid="confirm-submit"
                  data-autofocus
                >
                  {t('versions.restore')}
                </Button>
              </Group>
            </Alert>
          )}
        </Paper>
      ))}
    </Stack>
  );
}
