import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Busboy from 'busboy';
import mime from 'mime-types';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import { tagsMatch, type Entry } from '../../drive/entries.js';
import { normalizeName, parsePath } from '../../drive/names.js';
import { BadRequestError } from '../../errors/domain-error.js';
import { currentUser, requireUser } from '../auth.js';
import { parseInput } from '../body.js';
import { contentDisposition } from '../content-disposition.js';
import { parseEntityTags } from '../entity-tags.js';
import { sendLeases } from '../send-leases.js';
import { parseRange } from '../range.js';
import { boolFlag, pathField } from './fs-routes.js';

const uploadQuery = z.object({ path: pathField, overwrite: boolFlag.optional() });
const downloadQuery = z.object({
  path: pathField,
  version: z.coerce.number().int().optional(),
  download: boolFlag.optional(),
});

// Shown inline as themselves: media and PDF. Any other text-like type is shown as plain text, so that
// nothing a user uploaded (HTML, SVG, XML, scripts) runs or renders as active content in the drive's
// origin; the sandbox CSP is a second wall.
const INLINE_AS_IS =
  /^(image\/(png|jpeg|gif|webp|avif|bmp|x-icon)|video\/|audio\/|application\/pdf$|text\/plain$)/;
const TEXT_LIKE = /^text\/|[+/](xml|json|javascript|ecmascript)$|^application\/(x-sh|x-httpd-php)/;
const SANDBOX_CSP =
  "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";

function declaredLength(request: FastifyRequest): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined) return undefined;
  const value = Number(header);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Uploads (streaming PUT, streaming multipart) and downloads (Range, conditional requests). */
export function transferRoutes(app: FastifyInstance, { drive }: { drive: Drive }): void {
  app.addHook('preHandler', requireUser(drive.sessions));
  // Bodies here are file content, never parsed: the handler streams request.raw itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.put('/fs/content', async (request, reply) => {
    const { path, overwrite } = parseInput(uploadQuery, request.query);
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const { entry, created } = await drive.files.write(currentUser(request), path, request.raw, {
      overwrite: overwrite ?? true,
      expectedSize: declaredLength(request),
      ifMatch: parseEntityTags(header('if-match'), 'strong'),
      ifNoneMatch: parseEntityTags(header('if-none-match'), 'weak'),
    });
    return reply
      .code(created ? 201 : 200)
      .header('etag', entry.etag)
      .send(entry);
  });

  app.post('/fs/upload', async (request, reply) => {
    const { path: folder, overwrite } = parseInput(uploadQuery, request.query);
    const entries = await receiveMultipart(request, drive, folder, overwrite ?? true);
    return reply.code(201).send({ entries });
  });

  const download = async (request: FastifyRequest, reply: FastifyReply) => {
    const { path, version, download: asAttachment } = parseInput(downloadQuery, request.query);
    const file = await drive.files.open(currentUser(request), path, version);
    const lastModified = new Date(file.entry.modifiedAt).toUTCString();
    let type = mime.lookup(file.entry.name) || 'application/octet-stream';
    if (!asAttachment && !INLINE_AS_IS.test(type) && TEXT_LIKE.test(type)) type = 'text/plain';
    // Media may be cached (revalidated every time) for seeking; other private files never are.
    const media = /^(video|audio|image)\//.test(type);
    reply
      .header('accept-ranges', 'bytes')
      .header('etag', file.etag)
      .header('last-modified', lastModified)
      .header('cache-control', media ? 'private, no-cache' : 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .header(
        'content-disposition',
        contentDisposition(asAttachment ? 'attachment' : 'inline', file.entry.name),
      );
    if (type !== 'application/pdf') reply.header('content-security-policy', SANDBOX_CSP);

    if (notModified(request, file.etag)) return reply.code(304).send();
    const range = rangeApplies(request, file.etag, lastModified)
      ? parseRange(request.headers.range, file.size)
      : null;
    const length = range ? range.end - range.start + 1 : file.size;
    reply.type(mime.contentType(type) || type).header('content-length', String(length));
    if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
    if (request.method === 'HEAD' || length === 0) return reply.send();
    return sendLeases(request, reply, range ? 206 : 200, file.leases(range ?? undefined));
  };
  // HEAD has its own route so that it keeps the real Content-Length.
  app.get('/fs/content', { exposeHeadRoute: false }, download);
  app.head('/fs/content', download);
}

function notModified(request: FastifyRequest, etag: string): boolean {
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

/** Streams each file part of a multipart/form-data body into the drive as it arrives. */
function receiveMultipart(
  request: FastifyRequest,
  drive: Drive,
  folder: string,
  overwrite: boolean,
): Promise<Entry[]> {
  const user = currentUser(request);
  const base = parsePath(folder);
  return new Promise((resolve, reject) => {
    let parser: Busboy.Busboy;
    try {
      // Browsers send the file name as raw UTF-8 in filename="…"; busboy would read it as latin1.
      parser = Busboy({
        headers: request.headers,
        defParamCharset: 'utf8',
        limits: { fieldSize: 64 * 1024, fields: 100, parts: 10_000 },
      });
    } catch {
      reject(new BadRequestError('expected a multipart/form-data body', 'BAD_MULTIPART'));
      return;
    }
    const entries: Entry[] = [];
    let chain: Promise<void> = Promise.resolve();
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      request.raw.unpipe(parser);
      reject(error);
    };
    parser.on('file', (_field, stream, info) => {
      // Parts are written one after another; each stream must be consumed for the next to arrive.
      chain = chain.then(async () => {
        if (failed) {
          stream.resume();
          return;
        }
        // busboy reduces a name to its last path segment, and "..", "." or "dir/" to "": an empty
        // name must be refused, not resolve to the folder itself.
        const target = `/${[...base, normalizeName(info.filename ?? '')].join('/')}`;
        const { entry } = await drive.files.write(user, target, stream, { overwrite });
        entries.push(entry);
      });
      chain.catch((error: unknown) => {
        stream.resume();
        fail(error);
      });
    });
    parser.on('error', () => fail(new BadRequestError('the multipart body is malformed', 'BAD_MULTIPART')));
    parser.on('close', () => {
      chain.then(() => (failed ? undefined : resolve(entries)), fail);
    });
    request.raw.pipe(parser);
    // A client that goes away mid-body must end the part being written (busboy destroys its file
    // stream), or that write would wait forever, holding its buffers.
    request.raw.on('close', () => {
      if (!request.raw.complete) parser.destroy(new Error('the upload was interrupted'));
    });
  });
}
