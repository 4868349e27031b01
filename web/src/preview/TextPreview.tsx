import { Alert, Box, Center, Checkbox, Group, Loader, ScrollArea, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { messageOf } from '../ui/errors';
import { formatBytes } from '../ui/format';
import type { TextHead } from './text-head';

/** The notice above a text that was cut at TEXT_LIMIT. */
export function TruncationNote({ head, size }: { head: TextHead; size: number }) {
  const { t } = useTranslation('preview');
  if (!head.truncated) return null;
  return (
    <Text size="xs" c="dimmed" data-testid="preview-truncated">
      {t('truncated', { shown: formatBytes(head.bytes), total: formatBytes(size) })}
    </Text>
  );
}

export function TextLoading({ error }: { error: unknown }) {
  const { t } = useTranslation('preview');
  if (error) {
    return (
      <Alert color="red" m="md" title={t('loadFailed')}>
        {messageOf(error)}
      </Alert>
    );
  }
  return (
    <Center style={{ flex: 1 }}>
      <Loader />
    </Center>
  );
}

/** Plain text or code in a monospace, scrolling block; long lines wrap on request. */
export function TextView({ head, size, toolbar }: { head: TextHead; size: number; toolbar?: ReactNode }) {
  const { t } = useTranslation('preview');
  const [wrap, setWrap] = useState(true);
  return (
    <Box style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', gap: 8 }}>
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Group gap="sm">
          {toolbar}
          <TruncationNote head={head} size={size} />
        </Group>
        <Checkbox
          size="xs"
          label={t('wrap')}
          checked={wrap}
          onChange={(e) => setWrap(e.currentTarget.checked)}
        />
      </Group>
      <ScrollArea
        type="auto"
        style={{
          flex: 1,
          minHeight: 0,
          border: '1px solid var(--mantine-color-default-border)',
          borderRadius: 'var(--mantine-radius-sm)',
          background: 'var(--mantine-color-default)',
        }}
      >
        <Box
          component="pre"
          data-testid="preview-text"
          m={0}
          p="sm"
          ff="monospace"
          fz="sm"
          style={{
            whiteSpace: wrap ? 'pre-wrap' : 'pre',
            overflowWrap: wrap ? 'anywhere' : 'normal',
            tabSize: 4,
          }}
        >
          {head.text || (size === 0 ? t('empty') : '')}
        </Box>
      </ScrollArea>
    </Box>
  );
}
