import type { IncomingMessage } from 'node:http';
import { parseRange } from './byte-range.js';
import type { Reply } from './reply.js';

export interface Content {
  size: number;
  /** Quoted, e.g. `"<sha256>"`. */
  etag: string;
  source: { path: string } | { bytes: Buffer };
}

/** Serves content whole (200) or one range of it (206, `Content-Range`); 416 outside it. */
export function contentReply(
  req: IncomingMessage,
  content: Content,
  headers: Record<string, string> = {},
): Reply {
  const base = {
    ...headers,
    ETag: content.etag,
    'Accept-Ranges': 'bytes',
    'Content-Type': 'application/octet-stream',
  };
  const range = parseRange(req.headers.range, content.size);
  if (range === 'unsatisfiable') {
    return { status: 416, headers: { ...base, 'Content-Range': `bytes */${content.size}` } };
  }
  const start = range?.start ?? 0;
  const length = range ? range.end - range.start + 1 : content.size;
  const body =
    'bytes' in content.source
      ? content.source.bytes.subarray(start, start + length)
      : { path: content.source.path, start, length };
  if (!range) return { status: 200, headers: base, body };
  return {
    status: 206,
    headers: { ...base, 'Content-Range': `bytes ${range.start}-${range.end}/${content.size}` },
    body,
  };
}
