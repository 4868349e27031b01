import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import { currentUser, requireUser } from '../auth.js';
import { parseInput } from '../body.js';

const newAppPassword = z.object({
  label: z.string().max(100),
  readOnly: z.boolean().optional(),
  root: z.string().max(4096).optional(),
});
const idParams = z.object({ id: z.coerce.number().int() });

/** The signed-in user's WebDAV app passwords: the secret is in the create answer, and nowhere else. */
export function appPasswordRoutes(app: FastifyInstance, { drive }: { drive: Drive }): void {
  app.addHook('preHandler', requireUser(drive.sessions));

  app.get('/app-passwords', async (request) => ({
    appPasswords: await drive.appPasswords.list(currentUser(request)),
  }));

  app.post('/app-passwords', async (request, reply) => {
    const input = parseInput(newAppPassword, request.body);
    const { appPassword, secret } = await drive.appPasswords.create(currentUser(request), input);
    return reply.code(201).send({ appPassword, password: secret });
  });

  app.delete('/app-passwords/:id', async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    await drive.appPasswords.revoke(currentUser(request), id);
    return reply.code(204).send();
  });
}
