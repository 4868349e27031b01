import { ConflictError, NotFoundError } from '../../errors/domain-error.js';
import type { DavHandler } from '../context.js';
import { DavConflictError, MethodNotAllowedError, UnsupportedMediaTypeError } from '../dav-errors.js';
import { guardWrite } from '../locks/write-guard.js';
import { readBody } from '../request-body.js';

/** MKCOL (RFC 4918 §9.3): 201; 405 when something is there; 409 without a parent; 415 with a body. */
export const mkcol: DavHandler = async (dav, services) => {
  const body = await readBody(dav.request, services.xmlBodyLimit);
  if (body.length > 0) throw new UnsupportedMediaTypeError('MKCOL takes no body');
  if (dav.target.names.length === 0) throw new MethodNotAllowedError('the root folder exists');
  await guardWrite(dav, services, [{ drivePath: dav.target.drivePath, membership: true }]);
  try {
    await services.drive.tree.mkdir(dav.user, dav.target.drivePath);
  } catch (error) {
    if (error instanceof NotFoundError) throw new DavConflictError('the parent folder does not exist');
    if (error instanceof ConflictError) throw new MethodNotAllowedError('something already exists there');
    throw error;
  }
  await dav.reply.code(201).header('content-length', '0').send();
};
