import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import { currentUser, requireUser } from '../auth.js';
import { parseInput } from '../body.js';

const idBody = z.object({ id: z.number().int() });
const listQuery = z.object({ cursor: z.string().max(32).optional() });

export function trashRoutes(app: FastifyInstance, { drive }: { drive: Drive }): void {
  app.addHook('preHandler', requireUser(drive.sessions));

  app.get('/trash', async (request) => {
    const { cursor } = parseInput(listQuery, request.query);
    return drive.trash.list(currentUser(request), cursor);
  });

  app.post('/trash/restore', async (request) => {
    const { id } = parseInput(idBody, request.body);
    return { path: await drive.trash.restore(currentUser(request), id) };
  });

  app.post('/trash/purge', async (request, reply) => {
    const { id } = parseInput(idBody, request.body);
    await drive.trash.purge(currentUser(request), id);
    return reply.code(204).send();
  });

  app.post('/trash/empty', async (request) => ({ purged: await drive.trash.empty(currentUser(request)) }));
}
