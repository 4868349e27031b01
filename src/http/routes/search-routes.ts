import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import { MAX_QUERY_LENGTH } from '../../drive/search.js';
import { currentUser, requireUser } from '../auth.js';
import { parseInput } from '../body.js';
import { pathField } from './fs-routes.js';

const searchQuery = z.object({
  q: z
    .string({ error: 'q (the text to look for) is required' })
    .min(1, 'q (the text to look for) is empty')
    .max(MAX_QUERY_LENGTH),
  path: pathField.default('/'),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** Finding files and folders by name in the user's own tree. */
export function searchRoutes(app: FastifyInstance, { drive }: { drive: Drive }): void {
  app.addHook('preHandler', requireUser(drive.sessions));

  app.get('/fs/search', async (request) => {
    const { q, path, cursor, limit } = parseInput(searchQuery, request.query);
    return drive.tree.search(currentUser(request), { query: q, path, cursor, limit });
  });
}
