import { STATUS_CODES } from 'node:http';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

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
 * the host does not tell a scanner that a drive lives here. Its wildcard route also sees unknown
 * URLs under BASE_PATH; the application's error handler tells the two apart.
 */
export async function registerDecoy(app: FastifyInstance, dir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    index: ['index.html'],
    dotfiles: 'deny',
    decorateReply: false,
    wildcard: true,
  });
}
