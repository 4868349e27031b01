import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebdavConfig } from '../config/config.js';
import type { Drive } from '../drive/drive.js';
import { ForbiddenError, UnauthorizedError } from '../errors/domain-error.js';
import { createErrorHandler } from '../http/error-handler.js';
import type { DavAuthenticate } from './authenticator.js';
import type { DavHandler, DavRequest, DavServices } from './context.js';
import { davErrorHandler, MethodNotAllowedError } from './dav-errors.js';
import { DavMount } from './dav-path.js';
import { LockManager } from './locks/lock-manager.js';
import { copy, move } from './methods/copy-move.js';
import { deleteResource } from './methods/delete.js';
import { getResource } from './methods/get.js';
import { lock } from './methods/lock.js';
import { mkcol } from './methods/mkcol.js';
import { DAV_METHODS, options } from './methods/options.js';
import { propfind } from './methods/propfind.js';
import { proppatch } from './methods/proppatch.js';
import { put } from './methods/put.js';
import { unlock } from './methods/unlock.js';

export interface WebdavPluginOptions {
  drive: Drive;
  authenticate: DavAuthenticate;
  /** BASE_PATH ('' or '/drive'); the mount is at BASE_PATH/dav/. */
  basePath: string;
  config: WebdavConfig;
  /** Shared lock table (tests pass their own to look inside). */
  locks?: LockManager;
  maxLockSeconds?: number;
  xmlBodyLimit?: number;
}

const EXTENSION_METHODS = ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'];
const WRITE_METHODS = new Set(['PUT', 'DELETE', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK']);

const HANDLERS: Record<string, DavHandler> = {
  GET: getResource,
  HEAD: getResource,
  PUT: put,
  DELETE: deleteResource,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  MKCOL: mkcol,
  COPY: copy,
  MOVE: move,
  LOCK: lock,
  UNLOCK: unlock,
};

/**
 * The WebDAV mount (RFC 4918, classes 1 and 2) at BASE_PATH/dav/, over the drive. Bodies are taken
 * raw: file content streams into the drive, XML bodies are read up to a cap. Register it in its own
 * scope (it replaces the content-type parsers and the error handler there).
 */
export async function webdavPlugin(app: FastifyInstance, opts: WebdavPluginOptions): Promise<void> {
  for (const method of EXTENSION_METHODS) {
    if (!app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
  }
  const mount = new DavMount(`${opts.basePath}/dav`);
  const services: DavServices = {
    drive: opts.drive,
    mount,
    locks: opts.locks ?? new LockManager(),
    config: opts.config,
    maxLockSeconds: opts.maxLockSeconds ?? 3600,
    xmlBodyLimit: opts.xmlBodyLimit ?? 1024 * 1024,
  };

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.setErrorHandler(davErrorHandler(createErrorHandler(() => false)));

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.method === 'OPTIONS') return options(reply);
    const handler = HANDLERS[request.method];
    if (!handler) {
      reply.header('allow', DAV_METHODS.join(', '));
      throw new MethodNotAllowedError(`${request.method} is not supported here`);
    }
    const principal = await authenticate(request, opts.authenticate);
    const user = await opts.drive.users.get(principal.userId);
    if (user.disabled) throw new UnauthorizedError('this account is disabled');
    if (principal.readOnly && WRITE_METHODS.has(request.method)) {
      throw new ForbiddenError('this app password is read-only', 'READ_ONLY');
    }
    const target = mount.resolve(request.raw.url ?? '/', principal.root);
    const dav: DavRequest = { request, reply, principal, user, target };
    await handler(dav, services);
  };
  // POST and PATCH reach the handler only to be told 405 with the methods that work.
  const route = { method: [...DAV_METHODS, 'POST', 'PATCH'], exposeHeadRoute: false, handler: handle };
  app.route({ ...route, url: mount.prefix });
  app.route({ ...route, url: `${mount.prefix}/*` });
}

/** HTTP Basic credentials, checked by the authenticator; 401 with the challenge otherwise. */
async function authenticate(request: FastifyRequest, check: DavAuthenticate) {
  const value = request.headers.authorization;
  const match = typeof value === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value) : null;
  if (match) {
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      const principal = await check(decoded.slice(0, colon), decoded.slice(colon + 1), request.ip);
      if (principal) return principal;
    }
  }
  throw new UnauthorizedError('sign in with your username and password, or an app password');
}
