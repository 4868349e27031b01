import { Badge, Button, Center, Code, DataList, Drawer, Loader, Stack, Text } from '@mantine/core';
import { History } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { driveSource } from '../api/content-source';
import type { Entry } from '../api/types';
import { FileIcon } from '../files/FileIcon';
import { entryKind } from '../files/file-kinds';
import { useVersions, VersionsModal } from '../files/VersionsModal';
import { formatBytes, formatDate } from '../ui/format';
import { extensionOf } from '../ui/paths';
import { Thumbnail } from './Thumbnail';
import { useLastValue } from './use-last-value';

export interface InfoDrawerProps {
  entry: Entry | null;
  onClose(): void;
}

/** A side panel with everything known about a file or folder. */
export function InfoDrawer({ entry, onClose }: InfoDrawerProps) {
  const { t } = useTranslation('preview');
  const shown = useLastValue(entry);
  const [versionsOf, setVersionsOf] = useState<Entry | null>(null);
  return (
    <>
      {/* Hidden while its versions dialog is open, so that Esc closes one thing at a time. */}
      <Drawer
        opened={entry !== null && versionsOf === null}
        onClose={onClose}
        position="right"
        size="md"
        title={t('info.title')}
        attributes={{ content: { 'data-testid': 'info-drawer' } }}
      >
        {shown && <InfoContent entry={shown} onOpenVersions={setVersionsOf} />}
      </Drawer>
      <VersionsModal entry={versionsOf} onClose={() => setVersionsOf(null)} />
    </>
  );
}

function InfoContent({ entry, onOpenVersions }: { entry: Entry; onOpenVersions(entry: Entry): void }) {
  const { t, i18n } = useTranslation('preview');
  const isFile = entry.kind === 'file';
  const versions = useVersions(isFile ? entry.path : null);
  const extension = extensionOf(entry.name);
  const kind = entryKind(entry);
  const numbers = new Intl.NumberFormat(i18n.language);

  return (
    <Stack gap="md">
      <Center
        h={180}
        style={{ borderRadius: 'var(--mantine-radius-md)', background: 'var(--mantine-color-default-hover)' }}
      >
        {isFile ? (
          <Thumbnail entry={entry} source={driveSource} size={160} />
        ) : (
          <FileIcon entry={entry} size={80} />
        )}
      </Center>
      <Text fw={600} size="lg" style={{ overflowWrap: 'anywhere' }} data-testid="info-name">
        {entry.name}
      </Text>
      <DataList orientation="vertical" gap="sm" withDivider>
        <DataList.Item>
          <DataList.ItemLabel>{t('info.kind')}</DataList.ItemLabel>
          <DataList.ItemValue>
            {t(`kinds.${kind}`)}
            {isFile && extension ? ` (${extension.toUpperCase()})` : ''}
          </DataList.ItemValue>
        </DataList.Item>
        {isFile && (
          <DataList.Item>
            <DataList.ItemLabel>{t('info.size')}</DataList.ItemLabel>
            <DataList.ItemValue data-testid="info-size">
              {t('info.sizeExact', {
                size: formatBytes(entry.size),
                bytes: numbers.format(entry.size),
                count: entry.size,
              })}
            </DataList.ItemValue>
          </DataList.Item>
        )}
        <DataList.Item>
          <DataList.ItemLabel>{t('info.path')}</DataList.ItemLabel>
          <DataList.ItemValue ff="monospace" fz="sm" style={{ overflowWrap: 'anywhere' }}>
            {entry.path}
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>{t('info.modified')}</DataList.ItemLabel>
          <DataList.ItemValue>{formatDate(entry.modifiedAt, i18n.language)}</DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>{t('info.created')}</DataList.ItemLabel>
          <DataList.ItemValue>{formatDate(entry.createdAt, i18n.language)}</DataList.ItemValue>
        </DataList.Item>
        {entry.etag && (
          <DataList.Item>
            <DataList.ItemLabel>{t('info.etag')}</DataList.ItemLabel>
            <DataList.ItemValue>
              <Code style={{ overflowWrap: 'anywhere', whiteSpace: 'normal' }}>{entry.etag}</Code>
            </DataList.ItemValue>
          </DataList.Item>
        )}
        {isFile && (
          <DataList.Item>
            <DataList.ItemLabel>{t('info.versions')}</DataList.ItemLabel>
            <DataList.ItemValue>
              {versions.isPending ? (
                <Loader size="xs" />
              ) : versions.data ? (
                <Badge variant="light" data-testid="info-versions-count">
                  {t('info.versionCount', { count: versions.data.length })}
                </Badge>
              ) : (
                '—'
              )}
            </DataList.ItemValue>
          </DataList.Item>
        )}
      </DataList>
      {isFile && (
        <Button
          variant="light"
          leftSection={<History size={16} />}
          onClick={() => onOpenVersions(entry)}
          data-testid="info-versions"
        >
          {t('info.showVersions')}
        </Button>
      )}
    </Stack>
  );
}
