import { header, statOrNull, type DavRequest, type DavServices } from '../context.js';
import { DavPreconditionError, LockedError } from '../dav-errors.js';
import { parentOf } from '../dav-path.js';
import { evaluateIf, parseIfHeader, submittedTokens, type IfList } from './if-header.js';
import type { ActiveLock } from './lock-manager.js';

/** A resource a write changes, and how. */
export interface WriteTarget {
  drivePath: string;
  /** The write replaces or removes everything below it too (DELETE, MOVE, an overwritten target). */
  subtree?: boolean;
  /**
   * The write adds or removes the name in its folder, which a depth-0 lock on the folder protects
   * (RFC 4918 §7.4). 'if-new': only when nothing is there yet (PUT).
   */
  membership?: boolean | 'if-new';
}

/**
 * Checks a request's If header and lock tokens before a write (RFC 4918 §10.4, §7): an If header
 * that does not hold is 412; a lock on a target whose token was not submitted is 423 with
 * lock-token-submitted. Locks rooted at the same resource can only be shared ones, and any holder
 * may write: one token of each such group is enough. Returns the tokens the client submitted.
 */
export async function guardWrite(
  dav: DavRequest,
  services: DavServices,
  targets: readonly WriteTarget[],
): Promise<Set<string>> {
  const lists = await checkIfHeader(dav, services);
  const submitted = submittedTokens(lists);
  const byRoot = new Map<string, ActiveLock[]>();
  for (const target of targets) {
    for (const lock of await locksProtecting(dav, services, target)) {
      const group = byRoot.get(lock.path) ?? [];
      if (!group.includes(lock)) group.push(lock);
      byRoot.set(lock.path, group);
    }
  }
  const missing = [...byRoot.keys()].filter((root) => !byRoot.get(root)!.some((l) => submitted.has(l.token)));
  if (missing.length > 0) {
    const hrefs = missing.map(
      (root) =>
        services.mount.hrefOfDrivePath(root, dav.principal.root, false) ?? services.mount.href([], true),
    );
    throw new LockedError('the resource is locked and the lock token was not given', {
      name: 'lock-token-submitted',
      hrefs,
    });
  }
  return submitted;
}

async function locksProtecting(
  dav: DavRequest,
  services: DavServices,
  target: WriteTarget,
): Promise<ActiveLock[]> {
  const { locks } = services;
  const userId = dav.user.id;
  const found = locks.covering(userId, target.drivePath);
  if (target.subtree) found.push(...locks.below(userId, target.drivePath));
  if (target.membership && target.drivePath !== '/') {
    const folderLocks = locks.rootedAt(userId, parentOf(target.drivePath)).filter((l) => l.depth === '0');
    const applies =
      folderLocks.length > 0 &&
      (target.membership === true || (await statOrNull(services, dav.user, target.drivePath)) === null);
    if (applies) found.push(...folderLocks);
  }
  return found;
}

/** Parses and evaluates the If header, if any: 400 when malformed, 412 when no list holds. */
export async function checkIfHeader(dav: DavRequest, services: DavServices): Promise<IfList[]> {
  const value = header(dav, 'if');
  if (value === undefined) return [];
  const lists = parseIfHeader(value);
  const holds = await evaluateIf(lists, async (resource) => {
    const drivePath = resource === null ? dav.target.drivePath : taggedPath(dav, services, resource);
    if (drivePath === null) return null;
    const entry = await statOrNull(services, dav.user, drivePath);
    const locks = services.locks.covering(dav.user.id, drivePath);
    // A depth-0 lock on the folder guards this name too (adding or removing it), so its token counts.
    if (drivePath !== '/') locks.push(...services.locks.rootedAt(dav.user.id, parentOf(drivePath)));
    const lockTokens = new Set(locks.map((l) => l.token));
    return { etag: entry?.etag ?? null, lockTokens };
  });
  if (!holds) throw new DavPreconditionError('the If header does not hold for the resource');
  return lists;
}

/** The drive path a tagged list names, or null when it is not a resource of this mount. */
function taggedPath(dav: DavRequest, services: DavServices, resource: string): string | null {
  try {
    const origin = { protocol: dav.request.protocol, host: dav.request.host };
    return services.mount.destination(resource, origin, dav.principal.root).drivePath;
  } catch {
    return null;
  }
}
