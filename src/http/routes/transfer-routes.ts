import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Busboy from 'busboy';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import type { Entry } from '../../drive/entries.js';
import { normalizeName, parsePath } from '../../drive/names.js';
import { BadRequestError } from '../../errors/domain-error.js';
import { currentUser, requireUser } from '../auth.js';
import { parseInput } from '../body.js';
import { parseEntityTags } from '../entity-tags.js';
import { sendFile } from '../file-response.js';
import { boolFlag, pathField } from './fs-routes.js';

const uploadQuery = z.object({ path: pathField, overwrite: boolFlag.optional() });
const downloadQuery = z.object({
  path: pathField,
  version: z.coerce.number().int().optional(),
  download: boolFlag.optional(),
});

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
    return sendFile(request, reply, file, { asAttachment: asAttachment ?? false });
  };
  // HEAD has its own route so that it keeps the real Content-Length.
  app.get('/fs/content', { exposeHeadRoute: false }, download);
  app.head('/fs/content', download);
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
