import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MemoryLocker } from '@tus/server';
import { z } from 'zod';
import type { Drive } from '../drive/drive.js';
import { currentUser, requireUser } from '../http/auth.js';
import { parseInput } from '../http/body.js';
import { ConflictError } from '../errors/domain-error.js';
import { createTusServer } from './tus-server.js';
import { TusRequestContext } from './tus-context.js';
import type { UploadInfo } from '../drive/uploads.js';

const idParams = z.object({ id: z.string().max(64) });

/** An unfinished upload as GET /api/uploads lists it. */
type ListedUpload = Pick<
  UploadInfo,
  'id' | 'path' | 'offset' | 'length' | 'createdAt' | 'updatedAt' | 'expiresAt'
>;

function toListed(upload: UploadInfo): ListedUpload {
  const { id, path, offset, length, createdAt, updatedAt, expiresAt } = upload;
  return { id, path, offset, length, createdAt, updatedAt, expiresAt };
}

/**
 * Resumable uploads: the tus 1.0 endpoint (POST /api/tus/ creates; HEAD, PATCH, DELETE on
 * /api/tus/:id) and the UI's list of unfinished uploads (GET /api/uploads, DELETE /api/uploads/:id).
 * Signed in with the session cookie, and the CSRF token on every state-changing method, like the
 * rest of the API.
 */
export async function uploadRoutes(app: FastifyInstance, { drive }: { drive: Drive }): Promise<void> {
  const context = new TusRequestContext();
  // Shared with the cancel route, so that it stops a request still writing the upload first.
  const locker = new MemoryLocker();
  const tus = createTusServer({
    path: `${app.prefix}/tus`,
    uploads: drive.uploads,
    context,
    locker,
    logger: app.log,
  });

  await app.register(async (scope) => {
    scope.addHook('preHandler', requireUser(drive.sessions));
    // Bodies are upload content, never parsed: @tus/server streams request.raw itself.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const user = currentUser(request);
      // The headers every answer carries (no-store, nosniff…) go out with tus's answer too.
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(name, value);
      }
      reply.hijack();
      try {
        await context.run({ user, raw: request.raw }, () => tus.handle(request.raw, reply.raw));
      } catch (error) {
        request.log.error({ err: error }, 'tus request failed');
        if (!reply.raw.headersSent) reply.raw.writeHead(500).end();
        else reply.raw.destroy();
      }
    };
    scope.route({ method: ['POST', 'OPTIONS'], url: '/tus', handler: handle });
    scope.route({ method: ['POST', 'OPTIONS'], url: '/tus/', handler: handle });
    scope.route({ method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url: '/tus/:id', handler: handle });
  });

  await app.register(async (scope) => {
    scope.addHook('preHandler', requireUser(drive.sessions));

    scope.get('/uploads', async (request) => {
      const uploads = await drive.uploads.list(currentUser(request));
      return { uploads: uploads.map(toListed) };
    });

    scope.delete('/uploads/:id', async (request, reply) => {
      const { id } = parseInput(idParams, request.params);
      const user = currentUser(request);
      // Checked before the lock: another user's upload must not be held up by this.
      await drive.uploads.get(user, id);
      const lock = locker.newLock(id);
      try {
        await lock.lock(AbortSignal.timeout(60_000), () => undefined);
      } catch {
        // tus's lock gave up (a request that holds the upload did not let go in time).
        throw new ConflictError('the upload is busy; try again in a moment', 'UPLOAD_BUSY');
      }
      try {
        await drive.uploads.remove(user, id);
      } finally {
        await lock.unlock();
      }
      return reply.code(204).send();
    });
  });
}
