import { Button, Group, Stack, Text } from '@mantine/core';
import { Download, FileText } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { FileIcon } from '../files/FileIcon';
import { formatBytes } from '../ui/format';
import type { PreviewItem } from './preview-kind';

export interface NoPreviewProps {
  entry: PreviewItem;
  downloadUrl: string;
  /** Why nothing is shown: the kind has no viewer, the browser could not show it, or it is not text. */
  reason: 'unsupported' | 'failed' | 'binary';
  /** Offered for files that may be text after all (no known extension). */
  onShowAsText?(): void;
}

/** The file's icon, name and size, with a download button, where no viewer fits. */
export function NoPreview({ entry, downloadUrl, reason, onShowAsText }: NoPreviewProps) {
  const { t } = useTranslation('preview');
  return (
    <Stack align="center" justify="center" gap="sm" p="xl" style={{ flex: 1, textAlign: 'center' }}>
      <FileIcon entry={entry} size={72} />
      <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
        {entry.name}
      </Text>
      <Text size="sm" c="dimmed">
        {formatBytes(entry.size)}
      </Text>
      <Text size="sm" c="dimmed" maw={420}>
        {t(`reason.${reason}`)}
      </Text>
      <Group gap="sm" justify="center">
        <Button component="a" href={downloadUrl} download={entry.name} leftSection={<Download size={16} />}>
          {t('download')}
        </Button>
        {onShowAsText && (
          <Button variant="default" leftSection={<FileText size={16} />} onClick={onShowAsText}>
            {t('showAsText')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}
