import { BadRequestError, ConflictError, NotFoundError } from '../../errors/domain-error.js';
import { header, statOrNull, type DavHandler, type DavRequest, type DavServices } from '../context.js';
import { DavConflictError, DavForbiddenError, DavPreconditionError } from '../dav-errors.js';
import { isWithin } from '../dav-path.js';
import { parseDepth } from '../depth.js';
import { guardWrite, type WriteTarget } from '../locks/write-guard.js';

/** COPY (RFC 4918 §9.8): metadata only, since the drive shares content; dead properties too. */
export const copy: DavHandler = (dav, services) => transfer(dav, services, 'COPY');

/** MOVE (RFC 4918 §9.9): a rename in the tree; the source's locks are dropped. */
export const move: DavHandler = (dav, services) => transfer(dav, services, 'MOVE');

async function transfer(dav: DavRequest, services: DavServices, method: 'COPY' | 'MOVE'): Promise<void> {
  const { request, reply, target: source, user } = dav;
  const destination = services.mount.destination(
    header(dav, 'destination'),
    { protocol: request.protocol, host: request.host },
    dav.principal.root,
  );
  const depth = parseDepth(
    header(dav, 'depth'),
    method === 'COPY' ? ['0', 'infinity'] : ['infinity'],
    'infinity',
  );
  const overwrite = parseOverwrite(header(dav, 'overwrite'));
  if (source.names.length === 0)
    throw new DavForbiddenError(`the root folder cannot be the source of ${method}`);
  if (destination.names.length === 0) throw new DavForbiddenError('the root folder cannot be replaced');
  if (destination.drivePath === source.drivePath) {
    throw new DavForbiddenError('the source and the destination are the same');
  }
  if (isWithin(destination.drivePath, source.drivePath)) {
    throw new DavForbiddenError('a folder cannot be put inside itself');
  }
  const targets: WriteTarget[] = [{ drivePath: destination.drivePath, subtree: true, membership: true }];
  if (method === 'MOVE') targets.push({ drivePath: source.drivePath, subtree: true, membership: true });
  await guardWrite(dav, services, targets);

  await services.drive.tree.stat(user, source.drivePath);
  const existing = await statOrNull(services, user, destination.drivePath);
  if (existing && !overwrite) throw new DavPreconditionError('the destination exists and Overwrite is F');
  try {
    if (method === 'MOVE') {
      await services.drive.tree.move(user, source.drivePath, destination.drivePath, { overwrite: true });
    } else {
      await services.drive.tree.copy(user, source.drivePath, destination.drivePath, {
        overwrite: true,
        shallow: depth === '0',
      });
    }
  } catch (error) {
    if (error instanceof NotFoundError) throw new DavConflictError('the destination folder does not exist');
    if (error instanceof ConflictError && error.code === 'INTO_ITSELF') {
      throw new DavForbiddenError('a folder cannot be put inside itself');
    }
    throw error;
  }
  if (existing) services.locks.removeTree(user.id, destination.drivePath);
  if (method === 'MOVE') services.locks.removeTree(user.id, source.drivePath);
  await reply.code(existing ? 204 : 201).send();
}

/** Overwrite: T (the default) or F (RFC 4918 §10.6). */
function parseOverwrite(value: string | undefined): boolean {
  if (value === undefined) return true;
  const flag = value.trim().toUpperCase();
  if (flag === 'T') return true;
  if (flag === 'F') return false;
  throw new BadRequestError('Overwrite must be T or F', 'BAD_OVERWRITE');
}
