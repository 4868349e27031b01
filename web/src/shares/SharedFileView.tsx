import { Button, Group, Paper, Stack, Text, UnstyledButton } from '@mantine/core';
import { Download, Eye } from 'lucide-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { shareSource } from '../api/content-source';
import { FileIcon } from '../files/FileIcon';
import { PreviewModal } from '../preview/PreviewModal';
import { previewKindOf, type PreviewItem } from '../preview/preview-kind';
import { Thumbnail } from '../preview/Thumbnail';
import { formatBytes, formatDate } from '../ui/format';
import { ShareFacts } from './ShareFacts';
import type { SharedInfo } from './share-types';

/**
 * A shared file: its name and size, a preview on request and the download button. The content is
 * read only when the visitor asks: reading it counts as a download of a limited link.
 */
export function SharedFileView({ token, info }: { token: string; info: SharedInfo }) {
  const { t, i18n } = useTranslation('share');
  const source = useMemo(() => shareSource(token), [token]);
  const item: PreviewItem = useMemo(
    () => ({ name: info.name, path: '', kind: 'file', size: info.size ?? 0, modifiedAt: info.modifiedAt }),
    [info],
  );
  const [previewing, setPreviewing] = useState(false);
  const previewable = previewKindOf(item) !== 'none';

  return (
    <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }} maw={560} mx="auto">
      <Stack align="center" gap="md">
        {previewable ? (
          <UnstyledButton onClick={() => setPreviewing(true)} aria-label={t('public.preview')}>
            <Thumbnail entry={item} source={source} size={200} />
          </UnstyledButton>
        ) : (
          <FileIcon entry={item} size={96} />
        )}
        <Text fw={600} size="lg" ta="center" style={{ overflowWrap: 'anywhere' }} data-testid="share-name">
          {info.name}
        </Text>
        <Text size="sm" c="dimmed">
          {formatBytes(info.size ?? 0)} · {formatDate(info.modifiedAt, i18n.language)}
        </Text>
        <ShareFacts info={info} />
        <Group justify="center" gap="sm">
          <Button
            component="a"
            href={source.contentUrl('', { download: true })}
            download={info.name}
            leftSection={<Download size={16} />}
            size="md"
            data-testid="share-download"
          >
            {t('public.download')}
          </Button>
          {previewable && (
            <Button
              variant="default"
              size="md"
              leftSection={<Eye size={16} />}
              onClick={() => setPreviewing(true)}
              data-testid="share-preview"
            >
              {t('public.preview')}
            </Button>
          )}
        </Group>
      </Stack>
      <PreviewModal
        entry={previewing ? item : null}
        siblings={[item]}
        source={source}
        onNavigate={() => undefined}
        onClose={() => setPreviewing(false)}
      />
    </Paper>
  );
}
