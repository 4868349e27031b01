import mime from 'mime-types';
import type { Entry } from '../../drive/entries.js';
import type { User } from '../../drive/users.js';
import type { DavServices } from '../context.js';
import { lockDiscoveryXml, SUPPORTED_LOCK_XML } from '../locks/lock-xml.js';
import type { ActiveLock } from '../locks/lock-manager.js';
import { escapeText } from '../xml/xml-write.js';

/** What a resource's live properties are computed from. */
export interface LiveSource {
  entry: Entry;
  locks: readonly ActiveLock[];
  user: User;
  services: DavServices;
  root: string;
}

/** The live properties in DAV: (RFC 4918 §15, RFC 4331); clients cannot set them (403). */
export const LIVE_PROPERTIES: ReadonlySet<string> = new Set([
  'creationdate',
  'displayname',
  'getcontentlength',
  'getcontenttype',
  'getetag',
  'getlastmodified',
  'lockdiscovery',
  'resourcetype',
  'supportedlock',
  'quota-available-bytes',
  'quota-used-bytes',
]);

/** allprop leaves out the quota properties, as RFC 4331 §3 asks (they are costly on some servers). */
const IN_ALLPROP = [...LIVE_PROPERTIES].filter((name) => !name.startsWith('quota-'));

/** The live property names defined for a resource, for allprop or propname. */
export function liveNames(source: LiveSource, forAllprop: boolean): string[] {
  const names = forAllprop ? IN_ALLPROP : [...LIVE_PROPERTIES];
  return names.filter((name) => liveValue(name, source) !== null);
}

/** The content of a live property (an XML fragment), or null when the resource does not have it. */
export function liveValue(name: string, source: LiveSource): string | null {
  const { entry } = source;
  const isDir = entry.kind === 'dir';
  switch (name) {
    case 'resourcetype':
      return isDir ? '<D:collection/>' : '';
    case 'creationdate':
      return new Date(entry.createdAt).toISOString();
    case 'getlastmodified':
      return new Date(entry.modifiedAt).toUTCString();
    case 'displayname':
      return escapeText(entry.name);
    case 'getcontentlength':
      return isDir ? null : String(entry.size);
    case 'getcontenttype':
      return isDir ? null : escapeText(mime.lookup(entry.name) || 'application/octet-stream');
    case 'getetag':
      return entry.etag === null ? null : escapeText(entry.etag);
    case 'lockdiscovery':
      return lockDiscoveryXml(source.locks, source.services, source.root);
    case 'supportedlock':
      return SUPPORTED_LOCK_XML;
    case 'quota-used-bytes':
      return isDir ? String(source.user.usedBytes) : null;
    case 'quota-available-bytes': {
      const { quotaBytes, usedBytes } = source.user;
      return isDir && quotaBytes !== null ? String(Math.max(0, quotaBytes - usedBytes)) : null;
    }
    default:
      return null;
  }
}
