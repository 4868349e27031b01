import { Center } from '@mantine/core';
import { useState } from 'react';
import type { ContentSource } from '../api/content-source';
import type { Entry } from '../api/types';
import { FileIcon } from '../files/FileIcon';
import { previewKindOf } from './preview-kind';

export interface ThumbnailProps {
  entry: Pick<Entry, 'name' | 'kind' | 'path'> & { etag?: string | null };
  source: ContentSource;
  /** Pixels of the square box. */
  size: number;
}

/** The smallest server size that stays sharp in a box of `size` CSS pixels on this screen. */
function serverSize(size: number): 128 | 256 | 512 {
  const pixels = size * (window.devicePixelRatio || 1);
  return pixels <= 128 ? 128 : pixels <= 256 ? 256 : 512;
}

/**
 * An image's thumbnail (WebP made by the server), cropped to the square; the file's icon for
 * anything else, for SVG (never rasterised by the server) and when the thumbnail fails.
 */
export function Thumbnail({ entry, source, size }: ThumbnailProps) {
  const [failedUrl, setFailedUrl] = useState<string | null>(null);
  // 'image' leaves out folders and SVG (its own preview kind).
  const url =
    previewKindOf(entry) === 'image' ? source.thumbnailUrl(entry.path, serverSize(size), entry.etag) : null;
  if (url === null || url === failedUrl) {
    return (
      <Center w={size} h={size} style={{ flex: 'none' }}>
        <FileIcon entry={entry} size={Math.max(16, Math.round(size / 2))} />
      </Center>
    );
  }
  return (
    <img
      src={url}
      alt=""
      loading="lazy"
      decoding="async"
      width={size}
      height={size}
      draggable={false}
      data-testid="thumbnail"
      onError={() => setFailedUrl(url)}
      style={{
        width: size,
        height: size,
        objectFit: 'cover',
        flex: 'none',
        display: 'block',
        borderRadius: 'var(--mantine-radius-sm)',
        background: 'var(--mantine-color-default-hover)',
      }}
    />
  );
}
