import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * With BASE_PATH set, everything outside it is an ordinary static site (DECOY_DIR), so the root of
 * the host does not tell a scanner that a drive lives here.
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
