import { contentUrl, withQuery } from './client';

/** Where a viewer gets bytes: the signed-in user's drive, or a public share link. */
export interface ContentSource {
  contentUrl(path: string, options?: { download?: boolean }): string;
  /** A small WebP of an image, or null where none can be made; `etag` makes a new version's URL new. */
  thumbnailUrl(path: string, size: 128 | 256 | 512, etag?: string | null): string | null;
}

export const driveSource: ContentSource = {
  contentUrl: (path, options) => contentUrl(path, options),
  thumbnailUrl: (path, size, etag) => withQuery('/fs/thumbnail', { path, size, v: etag }),
};

/** Paths inside a shared folder are relative to it; '' is the shared item itself. */
export function shareSource(token: string): ContentSource {
  const base = `/s/${encodeURIComponent(token)}`;
  return {
    contentUrl: (path, options) =>
      withQuery(`${base}/content`, { path: path || undefined, download: options?.download ? 1 : undefined }),
    thumbnailUrl: (path, size, etag) =>
      withQuery(`${base}/thumbnail`, { path: path || undefined, size, v: etag }),
  };
}
