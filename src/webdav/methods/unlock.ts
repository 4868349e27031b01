import { BadRequestError } from '../../errors/domain-error.js';
import { header, type DavHandler } from '../context.js';
import { DavConflictError } from '../dav-errors.js';
import { isWithin } from '../dav-path.js';

/** UNLOCK (RFC 4918 §9.11): 204; 409 when the token is not of a lock that covers the resource. */
export const unlock: DavHandler = async (dav, services) => {
  const value = header(dav, 'lock-token')?.trim();
  if (!value || !value.startsWith('<') || !value.endsWith('>') || value.length < 3) {
    throw new BadRequestError('UNLOCK needs a Lock-Token header: <token>', 'BAD_LOCK_TOKEN');
  }
  const token = value.slice(1, -1);
  const active = services.locks.get(token);
  const path = dav.target.drivePath;
  const covers =
    active !== undefined &&
    active.userId === dav.user.id &&
    // A mount confined to a folder may not release a lock taken above it by another of the user's clients.
    isWithin(active.path, dav.principal.root) &&
    (active.path === path || (active.depth === 'infinity' && isWithin(path, active.path)));
  if (!covers) {
    throw new DavConflictError('no lock of this resource has that token', {
      name: 'lock-token-matches-request-uri',
    });
  }
  services.locks.release(token);
  await dav.reply.code(204).send();
};
