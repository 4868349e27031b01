import { STATUS_CODES } from 'node:http';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/**
 * Answers like a plain static site: a bare HTML page, never the API's JSON error shape, which would
 * tell a scanner what lives under BASE_PATH.
 */
export function sendDecoyStatus(reply: FastifyReply, status: number): FastifyReply {
  const reason = STATUS_CODES[status] ?? 'Error';
  const page = `<!doctype html>\n<html><head><title>${status} ${reason}</title></head><body><h1>${reason}</h1></body></html>\n`;
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
}

/**
 * With BASE_PATH set, everything outside it is an ordinary static site (DECOY_DIR), so the root of
 * the host does not tell a scanner that a drive lives here. `isApp` tells the drive's URLs apart: its
 * wildcard route also sees unknown URLs under BASE_PATH, whose errors stay the API's.
 */
export async function registerDecoy(
  app: FastifyInstance,
  dir: string,
  isApp: (url: string) => boolean,
): Promise<void> {
  await app.register(async (site) => {
    // Refusals from the static server (dotfiles, traversal) look like a static site's too.
    site.setErrorHandler((error: FastifyError, request, reply) => {
      if (isApp(request.url)) throw error; // to the application's error handler
      const status =
        error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
      if (status >= 500) request.log.error({ err: error }, 'decoy site error');
      return sendDecoyStatus(reply, status);
    });
    await site.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      index: ['index.html'],
      dotfiles: 'deny',
      decorateReply: false,
      wildcard: true,
    });
  });
}
