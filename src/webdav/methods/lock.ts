import { Readable } from 'node:stream';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors/domain-error.js';
import {
  header,
  ignoredMacFile,
  statOrNull,
  type DavHandler,
  type DavRequest,
  type DavServices,
} from '../context.js';
import { DavConflictError, DavPreconditionError, LockedError } from '../dav-errors.js';
import { parseDepth } from '../depth.js';
import { checkIfHeader } from '../locks/write-guard.js';
import { submittedTokens } from '../locks/if-header.js';
import { activeLockXml, parseTimeout } from '../locks/lock-xml.js';
import type { ActiveLock, LockScope } from '../locks/lock-manager.js';
import { readXml } from '../request-body.js';
import { elementsOf, type XmlElement } from '../xml/xml-parse.js';
import { isDavElement, serializeNodes, XML_DECLARATION } from '../xml/xml-write.js';

/**
 * LOCK (RFC 4918 §9.10): a new exclusive or shared write lock, depth 0 or infinity; or, with no
 * body, a refresh of the lock named in the If header. Locking an unmapped URL creates an empty file
 * there (§7.3).
 */
export const lock: DavHandler = async (dav, services) => {
  const body = await readXml(dav.request, services.xmlBodyLimit);
  const timeout = parseTimeout(header(dav, 'timeout'), services.maxLockSeconds);
  const lists = await checkIfHeader(dav, services);
  if (body === null) {
    await refresh(dav, services, submittedTokens(lists), timeout);
    return;
  }
  const info = parseLockInfo(body);
  const depth = parseDepth(header(dav, 'depth'), ['0', 'infinity'], 'infinity') as '0' | 'infinity';
  const { drivePath } = dav.target;
  const exists = (await statOrNull(services, dav.user, drivePath)) !== null;
  const result = services.locks.create({
    userId: dav.user.id,
    path: drivePath,
    scope: info.scope,
    depth,
    owner: info.owner,
    timeoutSeconds: timeout,
  });
  if ('conflict' in result) {
    const root =
      services.mount.hrefOfDrivePath(result.conflict.path, dav.principal.root, false) ??
      services.mount.href([], true);
    throw new LockedError('the resource is already locked', { name: 'no-conflicting-lock', hrefs: [root] });
  }
  // A Finder file the settings ignore is locked but not created: it is never stored.
  if (!exists && !ignoredMacFile(services, dav.target.names)) {
    try {
      await services.drive.files.write(dav.user, drivePath, Readable.from([]), { overwrite: false });
    } catch (error) {
      services.locks.release(result.lock.token);
      if (error instanceof NotFoundError) throw new DavConflictError('the parent folder does not exist');
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  await sendLock(dav, services, result.lock, exists ? 200 : 201);
};

async function refresh(dav: DavRequest, services: DavServices, tokens: Set<string>, timeout: number) {
  const mine = services.locks.covering(dav.user.id, dav.target.drivePath).find((l) => tokens.has(l.token));
  if (!mine) {
    if (tokens.size === 0)
      throw new BadRequestError('LOCK needs a lockinfo body, or an If header to refresh a lock', 'BAD_LOCK');
    throw new DavPreconditionError('no lock of the resource has the token given', {
      name: 'lock-token-matches-request-uri',
    });
  }
  await sendLock(dav, services, services.locks.refresh(mine.token, timeout)!, 200);
}

async function sendLock(dav: DavRequest, services: DavServices, active: ActiveLock, status: number) {
  const body = `${XML_DECLARATION}<D:prop xmlns:D="DAV:"><D:lockdiscovery>${activeLockXml(active, services, dav.principal.root)}</D:lockdiscovery></D:prop>\n`;
  await dav.reply
    .code(status)
    .header('lock-token', `<${active.token}>`)
    .type('application/xml; charset=utf-8')
    .send(body);
}

function parseLockInfo(body: XmlElement): { scope: LockScope; owner: string | null } {
  if (!isDavElement(body, 'lockinfo')) throw new BadRequestError('expected a DAV:lockinfo body', 'BAD_LOCK');
  const children = elementsOf(body);
  const scope = children.find((c) => isDavElement(c, 'lockscope'));
  const type = children.find((c) => isDavElement(c, 'locktype'));
  const owner = children.find((c) => isDavElement(c, 'owner'));
  const scopeName = scope ? elementsOf(scope)[0] : undefined;
  if (!scopeName || !(isDavElement(scopeName, 'exclusive') || isDavElement(scopeName, 'shared'))) {
    throw new BadRequestError('a lock is exclusive or shared', 'BAD_LOCK');
  }
  const typeName = type ? elementsOf(type)[0] : undefined;
  if (!typeName || !isDavElement(typeName, 'write')) {
    throw new BadRequestError('only write locks exist', 'BAD_LOCK');
  }
  return { scope: scopeName.name as LockScope, owner: owner ? serializeNodes(owner.children) : null };
}
