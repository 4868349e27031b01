import type { DavHandler } from '../context.js';
import { ignoredMacFile, statOrNull } from '../context.js';
import { DavForbiddenError } from '../dav-errors.js';
import { NotFoundError } from '../../errors/domain-error.js';
import { guardWrite } from '../locks/write-guard.js';

/** DELETE (RFC 4918 §9.6): to the trash, as in the API, with everything below; the locks go too. */
export const deleteResource: DavHandler = async (dav, services) => {
  if (dav.target.names.length === 0) throw new DavForbiddenError('the root folder cannot be deleted');
  const { drivePath } = dav.target;
  await guardWrite(dav, services, [{ drivePath, subtree: true, membership: true }]);
  if (ignoredMacFile(services, dav.target.names) && !(await statOrNull(services, dav.user, drivePath))) {
    // Never stored, so already gone: what Finder expects to hear.
    await dav.reply.code(204).send();
    return;
  }
  try {
    await services.drive.tree.remove(dav.user, drivePath);
  } catch (error) {
    if (error instanceof NotFoundError)
      throw new NotFoundError(`${dav.target.names.join('/')} does not exist`);
    throw error;
  }
  services.locks.removeTree(dav.user.id, drivePath);
  await dav.reply.code(204).send();
};
