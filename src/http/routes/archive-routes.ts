import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import type { Entry } from '../../drive/entries.js';
import type { User } from '../../drive/users.js';
import { BadRequestError, NotFoundError } from '../../errors/domain-error.js';
import { ArchiveTickets } from '../archive-tickets.js';
import { currentUser, requireUser } from '../auth.js';
import { parseInput } from '../body.js';
import { contentDisposition } from '../content-disposition.js';
import { zipArchive } from '../zip-archive.js';
import { pathField } from './fs-routes.js';

const ARCHIVE_TICKET_TTL_MS = 60_000;
const MAX_ARCHIVE_PATHS = 10_000;
const LIST_PAGE = 500;

const archiveBody = z.object({
  paths: z.array(pathField).min(1, 'paths: name at least one file or folder').max(MAX_ARCHIVE_PATHS),
});
const ticketParams = z.object({ ticket: z.string().max(64) });

export interface ArchiveRoutesOptions {
  drive: Drive;
  /** BASE_PATH, for the ticket's URL. */
  basePath: string;
}

/** The user, and the session a ticket is bound to (requireUser has resolved both). */
function signedIn(request: FastifyRequest): { user: User; sessionKey: string } {
  return { user: currentUser(request), sessionKey: request.auth!.session.id };
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/**
 * The selection as entries, each once: the root folder alone, or files and folders of one folder
 * (so their names, the top of the zip, cannot clash). Throws NotFoundError for a missing one.
 */
async function selection(drive: Drive, user: User, paths: readonly string[]): Promise<Entry[]> {
  const entries = new Map<number, Entry>();
  for (const path of paths) {
    const entry = await drive.tree.stat(user, path);
    if (entry.path === '/') return [entry];
    entries.set(entry.id, entry);
  }
  const items = [...entries.values()];
  const folder = parentOf(items[0]!.path);
  if (items.some((item) => parentOf(item.path) !== folder)) {
    throw new BadRequestError('zip files and folders of one folder at a time', 'NOT_SAME_FOLDER');
  }
  return items;
}

function archiveName(items: readonly Entry[]): string {
  const only = items.length === 1 ? items[0]! : null;
  return only && only.kind === 'dir' && only.path !== '/' ? `${only.name}.zip` : 'download.zip';
}

/**
 * Zip downloads of a folder or a selection: POST names it and gets a ticket URL (valid a minute,
 * once, for the same session), which a plain GET streams as application/zip.
 */
export function archiveRoutes(app: FastifyInstance, options: ArchiveRoutesOptions): void {
  const { drive, basePath } = options;
  const tickets = new ArchiveTickets({ ttlMs: ARCHIVE_TICKET_TTL_MS, maxPerUser: 16 });
  app.addHook('preHandler', requireUser(drive.sessions));

  app.post('/fs/archive', async (request) => {
    const { paths } = parseInput(archiveBody, request.body);
    const { user, sessionKey } = signedIn(request);
    const items = await selection(drive, user, paths);
    const { ticket, expiresAt } = tickets.issue({
      userId: user.id,
      sessionKey,
      paths: items.map((item) => item.path),
    });
    return { url: `${basePath}/api/fs/archive/${ticket}`, expiresAt };
  });

  // No HEAD route: a HEAD would use up the ticket.
  app.get('/fs/archive/:ticket', { exposeHeadRoute: false }, async (request, reply) => {
    const { ticket } = parseInput(ticketParams, request.params);
    const { user, sessionKey } = signedIn(request);
    const held = tickets.take(ticket, user.id, sessionKey);
    if (!held) throw new NotFoundError('this download link has expired or was already used');
    // Looked up again: a minute may have passed. Until the first byte, errors are still JSON.
    const items = await selection(drive, user, held.paths);
    const zip = zipArchive(
      {
        list: (path, cursor) => drive.tree.list(user, path, { cursor, limit: LIST_PAGE }),
        open: (path) => drive.files.open(user, path),
      },
      items,
    );
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', contentDisposition('attachment', archiveName(items)))
      .send(zip);
  });
}
