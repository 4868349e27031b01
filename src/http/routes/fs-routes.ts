import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import { currentUser, requireUser } from '../auth.js';
import { parseInput } from '../body.js';

const pathField = z.string({ error: 'a path is required' }).max(32 * 1024);
const boolFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const listQuery = z.object({
  path: pathField.default('/'),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  sort: z.enum(['name', 'size', 'modified']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});
const pathQuery = z.object({ path: pathField });
const mkdirBody = z.object({ path: pathField, parents: z.boolean().optional() });
const transferBody = z.object({ from: pathField, to: pathField, overwrite: z.boolean().optional() });
const versionRestoreBody = z.object({ path: pathField, versionId: z.number().int() });

export { boolFlag, listQuery, pathField };

/** Folders, listing, move/copy/delete, and versions. */
export function fsRoutes(app: FastifyInstance, { drive }: { drive: Drive }): void {
  app.addHook('preHandler', requireUser(drive.sessions));

  app.get('/fs/list', async (request) => {
    const { path, ...options } = parseInput(listQuery, request.query);
    return drive.tree.list(currentUser(request), path, options);
  });

  app.get('/fs/stat', async (request) => {
    const { path } = parseInput(pathQuery, request.query);
    return drive.tree.stat(currentUser(request), path);
  });

  app.post('/fs/mkdir', async (request, reply) => {
    const { path, parents } = parseInput(mkdirBody, request.body);
    return reply.code(201).send(await drive.tree.mkdir(currentUser(request), path, { parents }));
  });

  app.post('/fs/move', async (request) => {
    const { from, to, overwrite } = parseInput(transferBody, request.body);
    return drive.tree.move(currentUser(request), from, to, { overwrite });
  });

  app.post('/fs/copy', async (request, reply) => {
    const { from, to, overwrite } = parseInput(transferBody, request.body);
    return reply.code(201).send(await drive.tree.copy(currentUser(request), from, to, { overwrite }));
  });

  app.post('/fs/delete', async (request, reply) => {
    const { path } = parseInput(pathQuery, request.body);
    await drive.tree.remove(currentUser(request), path);
    return reply.code(204).send();
  });

  app.get('/fs/versions', async (request) => {
    const { path } = parseInput(pathQuery, request.query);
    return { versions: await drive.versions.list(currentUser(request), path) };
  });

  app.post('/fs/versions/restore', async (request, reply) => {
    const { path, versionId } = parseInput(versionRestoreBody, request.body);
    await drive.versions.restore(currentUser(request), path, versionId);
    return reply.code(204).send();
  });
}
