import type { DavServices } from '../context.js';
import { escapeText } from '../xml/xml-write.js';
import type { ActiveLock } from './lock-manager.js';

/** One <D:activelock> (RFC 4918 §14.1), with the time left and the lock root as seen by the mount. */
export function activeLockXml(
  lock: ActiveLock,
  services: DavServices,
  root: string,
  now = Date.now(),
): string {
  const left = Math.max(0, Math.ceil((lock.expiresAt - now) / 1000));
  const lockRoot = services.mount.hrefOfDrivePath(lock.path, root, false) ?? services.mount.href([], true);
  return (
    '<D:activelock>' +
    '<D:locktype><D:write/></D:locktype>' +
    `<D:lockscope><D:${lock.scope}/></D:lockscope>` +
    `<D:depth>${lock.depth}</D:depth>` +
    (lock.owner !== null ? `<D:owner>${lock.owner}</D:owner>` : '') +
    `<D:timeout>Second-${left}</D:timeout>` +
    `<D:locktoken><D:href>${escapeText(lock.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${escapeText(lockRoot)}</D:href></D:lockroot>` +
    '</D:activelock>'
  );
}

/** The content of <D:lockdiscovery>: the locks that apply to a resource. */
export function lockDiscoveryXml(locks: readonly ActiveLock[], services: DavServices, root: string): string {
  const now = Date.now();
  return locks.map((lock) => activeLockXml(lock, services, root, now)).join('');
}

/** The content of <D:supportedlock>: exclusive and shared write locks. */
export const SUPPORTED_LOCK_XML =
  '<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
  '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>';

/**
 * The lock timeout a client asked for (RFC 4918 §10.7: "Second-N" or "Infinite", the first one
 * understood wins), capped at `max`; `max` when it asked for nothing usable.
 */
export function parseTimeout(value: string | undefined, max: number): number {
  if (value === undefined) return max;
  for (const item of value.split(',')) {
    const text = item.trim().toLowerCase();
    if (text === 'infinite') return max;
    if (text.startsWith('second-')) {
      const seconds = Number(text.slice(7));
      if (Number.isSafeInteger(seconds) && seconds > 0) return Math.min(seconds, max);
    }
  }
  return max;
}
