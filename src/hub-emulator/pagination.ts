import { badRequest } from './hub-error.js';

/** Cursors are opaque to clients: the last key of the page before, base64url-encoded. */
export function encodeCursor(after: string): string {
  return Buffer.from(after, 'utf8').toString('base64url');
}

export function decodeCursor(url: URL): string | null {
  const cursor = url.searchParams.get('cursor');
  if (cursor === null) return null;
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) throw badRequest('Invalid cursor');
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** The `limit` query parameter, 1…max; absent: max. */
export function pageLimit(url: URL, max: number): number {
  const text = url.searchParams.get('limit');
  if (text === null) return max;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1) throw badRequest('limit must be a positive integer');
  return Math.min(limit, max);
}

/** `Link: <absolute url>; rel="next"`, the same URL with the next page's parameters. */
export function nextLink(origin: string, url: URL, set: Record<string, string>): Record<string, string> {
  const next = new URL(url.pathname + url.search, origin);
  for (const [key, value] of Object.entries(set)) next.searchParams.set(key, value);
  return { Link: `<${next.href}>; rel="next"` };
}
