import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import { currentUser, requireAdmin, requireUser } from '../auth.js';
import { parseInput } from '../body.js';
import { publicUser } from './auth-routes.js';

const quota = z.number().int().min(0).nullable();
const newUser = z.object({
  username: z.string().max(64),
  password: z.string().max(1024),
  role: z.enum(['admin', 'user']).default('user'),
  quotaBytes: quota.optional(),
});
const userChanges = z.object({
  password: z.string().max(1024).optional(),
  quotaBytes: quota.optional(),
  disabled: z.boolean().optional(),
  role: z.enum(['admin', 'user']).optional(),
});
const idParams = z.object({ id: z.coerce.number().int() });
const gcInput = z.object({
  dryRun: z.boolean().optional(),
  /** Packs less than this share live are rewritten. */
  threshold: z.number().min(0).lt(1, 'expected a share below 1, such as 0.8').optional(),
});
const fsckInput = z.object({
  dryRun: z.boolean().optional(),
  verify: z.boolean().optional(),
  repair: z.boolean().optional(),
});

export function adminRoutes(app: FastifyInstance, { drive }: { drive: Drive }): void {
  app.addHook('preHandler', requireUser(drive.sessions));
  app.addHook('preHandler', requireAdmin);

  app.get('/admin/users', async () => ({ users: (await drive.users.list()).map(publicUser) }));

  app.post('/admin/users', async (request, reply) => {
    const input = parseInput(newUser, request.body);
    return reply.code(201).send({ user: publicUser(await drive.users.create(input)) });
  });

  app.patch('/admin/users/:id', async (request) => {
    const { id } = parseInput(idParams, request.params);
    const changes = parseInput(userChanges, request.body);
    return { user: publicUser(await drive.users.update(currentUser(request), id, changes)) };
  });

  app.get('/admin/store', async () => drive.storeStatus());

  // Both answer once done (gc waits out the grace period for reads, a minute); 409 while one runs.
  app.post('/admin/gc', async (request) => {
    const { dryRun, threshold } = parseInput(gcInput, request.body);
    return drive.maintenance.gc({ dryRun, liveRatio: threshold });
  });

  app.post('/admin/fsck', async (request) => {
    return drive.maintenance.fsck(parseInput(fsckInput, request.body));
  });
}
