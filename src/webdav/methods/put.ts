import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors/domain-error.js';
import { parseEntityTags } from '../../http/entity-tags.js';
import { header, ignoredMacFile, type DavHandler } from '../context.js';
import { DavConflictError, MethodNotAllowedError } from '../dav-errors.js';
import { guardWrite } from '../locks/write-guard.js';

/**
 * PUT (RFC 4918 §9.7): the body streams into the drive as in the API (If-Match and If-None-Match
 * honoured): 201 for a new file, 204 for a new version; 409 when the folder is missing; 507 when the
 * quota is full.
 */
export const put: DavHandler = async (dav, services) => {
  const { request, reply, target } = dav;
  if (target.names.length === 0) throw new MethodNotAllowedError('the root is a folder');
  // A partial PUT would otherwise replace the whole file with the part (RFC 9110 §14.4 asks for 400).
  if (request.headers['content-range'] !== undefined) {
    throw new BadRequestError('PUT cannot write part of a file (Content-Range)', 'PARTIAL_PUT');
  }
  await guardWrite(dav, services, [{ drivePath: target.drivePath, membership: 'if-new' }]);
  if (ignoredMacFile(services, target.names)) {
    // Finder's metadata files are accepted and dropped, as WEBDAV_MAC_FILES=ignore asks.
    await pipeline(request.raw, new Writable({ write: (_chunk, _encoding, done) => done() }));
    await reply.code(201).header('content-length', '0').send();
    return;
  }
  const length = Number(header(dav, 'content-length'));
  let result;
  try {
    result = await services.drive.files.write(dav.user, target.drivePath, request.raw, {
      overwrite: true,
      expectedSize: Number.isSafeInteger(length) && length >= 0 ? length : undefined,
      ifMatch: parseEntityTags(header(dav, 'if-match'), 'strong'),
      ifNoneMatch: parseEntityTags(header(dav, 'if-none-match'), 'weak'),
    });
  } catch (error) {
    if (error instanceof NotFoundError)
      throw new DavConflictError('the folder to put the file in does not exist');
    if (error instanceof ConflictError && error.code === 'IS_A_FOLDER') {
      throw new MethodNotAllowedError('a folder is there; PUT cannot replace it');
    }
    throw error;
  }
  reply.header('etag', result.entry.etag);
  await reply.code(result.created ? 201 : 204).send();
};
