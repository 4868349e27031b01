import { Box, ScrollArea, SegmentedControl, Typography } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContentSource } from '../api/content-source';
import { parentOf } from '../ui/paths';
import { renderMarkdown, resolveRelative } from './markdown';
import type { PreviewItem } from './preview-kind';
import { TextLoading, TextView, TruncationNote } from './TextPreview';
import { useTextHead } from './text-head';

/** A Markdown file rendered (marked, then DOMPurify), or its source. */
export function MarkdownPreview({ entry, source }: { entry: PreviewItem; source: ContentSource }) {
  const { t } = useTranslation('preview');
  const [mode, setMode] = useState<'rendered' | 'source'>('rendered');
  const query = useTextHead(source.contentUrl(entry.path), entry.size, entry.etag ?? entry.modifiedAt);
  const html = useMemo(() => {
    if (!query.data) return '';
    const folder = parentOf(entry.path || '/');
    return renderMarkdown(query.data.text, (src) => {
      const path = resolveRelative(folder, src);
      return path === null ? null : source.contentUrl(path);
    });
  }, [query.data, entry.path, source]);

  if (!query.data) return <TextLoading error={query.error} />;
  const toggle = (
    <SegmentedControl
      size="xs"
      value={mode}
      onChange={(value) => setMode(value === 'source' ? 'source' : 'rendered')}
      data={[
        { value: 'rendered', label: t('rendered') },
        { value: 'source', label: t('source') },
      ]}
      data-testid="preview-markdown-mode"
    />
  );
  if (mode === 'source') return <TextView head={query.data} size={entry.size} toolbar={toggle} />;
  return (
    <Box style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', gap: 8 }}>
      <Box style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
        {toggle}
        <TruncationNote head={query.data} size={entry.size} />
      </Box>
      <ScrollArea type="auto" style={{ flex: 1, minHeight: 0 }}>
        <Typography data-testid="preview-markdown" px="xs" style={{ overflowWrap: 'anywhere' }}>
          {/* Sanitized by DOMPurify in renderMarkdown: the one place raw HTML is rendered. */}
          <div dangerouslySetInnerHTML={{ __html: html }} />
        </Typography>
      </ScrollArea>
    </Box>
  );
}
