import type { FastifyReply, FastifyRequest } from 'fastify';
import mime from 'mime-types';
import type { ByteRange } from '../blobstore/blob-store.js';
import { tagsMatch } from '../drive/entries.js';
import type { OpenFile } from '../drive/files.js';
import { contentDisposition } from './content-disposition.js';
import { parseEntityTags } from './entity-tags.js';
import { parseRange } from './range.js';
import { sendLeases } from './send-leases.js';

// Shown inline as themselves: media and PDF. Any other text-like type is shown as plain text, so that
// nothing a user uploaded (HTML, SVG, XML, scripts) runs or renders as active content in the drive's
// origin; the sandbox CSP is a second wall.
const INLINE_AS_IS =
  /^(image\/(png|jpeg|gif|webp|avif|bmp|x-icon)|video\/|audio\/|application\/pdf$|text\/plain$)/;
const TEXT_LIKE = /^text\/|[+/](xml|json|javascript|ecmascript)$|^application\/(x-sh|x-httpd-php)/;
export const SANDBOX_CSP =
  "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";

export interface SendFileOptions {
  /** Content-Disposition: attachment (save) rather than inline (show). */
  asAttachment: boolean;
  /**
   * Runs when a GET will send content (not for HEAD or 304), before any header is set: it may
   * refuse by throwing, or add headers of its own.
   */
  beforeBody?: () => Promise<void>;
}

/** Answers GET or HEAD for a file: ETag, Last-Modified, If-None-Match, Range and If-Range, streamed. */
export async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: OpenFile,
  options: SendFileOptions,
): Promise<void> {
  const lastModified = new Date(file.entry.modifiedAt).toUTCString();
  let type = mime.lookup(file.entry.name) || 'application/octet-stream';
  if (!options.asAttachment && !INLINE_AS_IS.test(type) && TEXT_LIKE.test(type)) type = 'text/plain';
  // Media may be cached (revalidated every time) for seeking; other private files never are.
  const media = /^(video|audio|image)\//.test(type);
  const headers: Record<string, string> = {
    'accept-ranges': 'bytes',
    etag: file.etag,
    'last-modified': lastModified,
    'cache-control': media ? 'private, no-cache' : 'private, no-store',
    'x-content-type-options': 'nosniff',
    'content-disposition': contentDisposition(
      options.asAttachment ? 'attachment' : 'inline',
      file.entry.name,
    ),
  };
  if (type !== 'application/pdf') headers['content-security-policy'] = SANDBOX_CSP;

  if (notModified(request, file.etag)) return reply.headers(headers).code(304).send();
  let range: ByteRange | null = null;
  try {
    if (rangeApplies(request, file.etag, lastModified)) range = parseRange(request.headers.range, file.size);
  } catch (error) {
    // A 416 still describes the file it refers to.
    reply.headers(headers);
    throw error;
  }
  if (request.method === 'GET' && options.beforeBody) await options.beforeBody();
  const length = range ? range.end - range.start + 1 : file.size;
  reply
    .headers(headers)
    .type(mime.contentType(type) || type)
    .header('content-length', String(length));
  if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
  if (request.method === 'HEAD' || length === 0) return reply.send();
  return sendLeases(request, reply, range ? 206 : 200, file.leases(range ?? undefined));
}

/** If-None-Match names `etag` (weak comparison, RFC 9110 §13.1.2). */
export function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  const tags = parseEntityTags(typeof header === 'string' ? header : undefined, 'weak');
  return tags !== undefined && tagsMatch(tags, etag);
}

/** If-Range: the Range applies only while the validator still matches (RFC 9110 §13.1.5). */
function rangeApplies(request: FastifyRequest, etag: string, lastModified: string): boolean {
  const header = request.headers['if-range'];
  if (typeof header !== 'string') return true;
  const value = header.trim();
  return value.startsWith('"') ? value === etag : value === lastModified;
}
