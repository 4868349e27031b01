import { Box, Center, Loader, Stack } from '@mantine/core';
import { useState, type CSSProperties } from 'react';
import type { ContentSource } from '../api/content-source';
import { FileIcon } from '../files/FileIcon';
import { MarkdownPreview } from './MarkdownPreview';
import { NoPreview } from './NoPreview';
import { previewKindOf, type PreviewItem } from './preview-kind';
import { TextLoading, TextView } from './TextPreview';
import { useTextHead } from './text-head';

const FILL: CSSProperties = {
  flex: 1,
  minHeight: 0,
  display: 'flex',
  alignItems: 'center',
  justifyContent: 'center',
  position: 'relative',
};
const FIT: CSSProperties = { maxWidth: '100%', maxHeight: '100%', objectFit: 'contain', display: 'block' };

export interface PreviewBodyProps {
  entry: PreviewItem;
  source: ContentSource;
}

/**
 * The viewer for one file, by its kind. Media stream straight from the content URL (the server
 * answers ranges, so seeking works); text is read only up to TEXT_LIMIT. Keyed by path by its owner,
 * so its state starts afresh for each file.
 */
export function PreviewBody({ entry, source }: PreviewBodyProps) {
  const [asText, setAsText] = useState(false);
  const [failed, setFailed] = useState(false);
  const url = source.contentUrl(entry.path);
  const downloadUrl = source.contentUrl(entry.path, { download: true });
  const kind = asText ? 'text' : previewKindOf(entry);
  const fail = () => setFailed(true);

  if (failed) return <NoPreview entry={entry} downloadUrl={downloadUrl} reason="failed" />;
  switch (kind) {
    case 'image':
      return <ImageView url={url} name={entry.name} onError={fail} />;
    case 'svg':
      return <SvgView entry={entry} source={source} onError={fail} />;
    case 'video':
      return (
        <Box style={FILL}>
          <video
            key={url}
            src={url}
            controls
            preload="metadata"
            playsInline
            data-testid="preview-video"
            onError={fail}
            style={{ ...FIT, width: '100%', background: 'black' }}
          />
        </Box>
      );
    case 'audio':
      return (
        <Stack style={FILL} gap="lg">
          <FileIcon entry={entry} size={96} />
          <audio
            key={url}
            src={url}
            controls
            preload="metadata"
            data-testid="preview-audio"
            onError={fail}
            style={{ width: 'min(520px, 100%)' }}
          />
        </Stack>
      );
    case 'pdf':
      return (
        <iframe
          key={url}
          src={url}
          title={entry.name}
          data-testid="preview-pdf"
          style={{
            flex: 1,
            minHeight: 0,
            width: '100%',
            border: 0,
            borderRadius: 'var(--mantine-radius-sm)',
          }}
        />
      );
    case 'markdown':
      return <MarkdownPreview entry={entry} source={source} />;
    case 'text':
      return <PlainText entry={entry} url={url} downloadUrl={downloadUrl} />;
    default:
      return (
        <NoPreview
          entry={entry}
          downloadUrl={downloadUrl}
          reason="unsupported"
          // Files without a known extension (README, Makefile, .env) are often text.
          onShowAsText={entry.kind === 'file' && entry.size > 0 ? () => setAsText(true) : undefined}
        />
      );
  }
}

function ImageView({ url, name, onError }: { url: string; name: string; onError(): void }) {
  const [loaded, setLoaded] = useState(false);
  return (
    <Box style={FILL}>
      {!loaded && (
        <Center style={{ position: 'absolute', inset: 0 }}>
          <Loader />
        </Center>
      )}
      <img
        src={url}
        alt={name}
        data-testid="preview-image"
        onLoad={() => setLoaded(true)}
        onError={onError}
        style={{ ...FIT, opacity: loaded ? 1 : 0 }}
      />
    </Box>
  );
}

/**
 * The server sends SVG as text (never as active content in the drive's origin); an <img> of a data
 * URL draws it without running anything in it.
 */
function SvgView({ entry, source, onError }: PreviewBodyProps & { onError(): void }) {
  const query = useTextHead(source.contentUrl(entry.path), entry.size, entry.etag ?? entry.modifiedAt);
  if (!query.data) return <TextLoading error={query.error} />;
  if (query.data.truncated) return <TextView head={query.data} size={entry.size} />;
  return (
    <Box style={FILL}>
      <img
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(query.data.text)}`}
        alt={entry.name}
        data-testid="preview-image"
        onError={onError}
        style={{ ...FIT, width: '100%', height: '100%' }}
      />
    </Box>
  );
}

function PlainText({ entry, url, downloadUrl }: { entry: PreviewItem; url: string; downloadUrl: string }) {
  const query = useTextHead(url, entry.size, entry.etag ?? entry.modifiedAt);
  if (!query.data) return <TextLoading error={query.error} />;
  if (query.data.binary) return <NoPreview entry={entry} downloadUrl={downloadUrl} reason="binary" />;
  return <TextView head={query.data} size={entry.size} />;
}
