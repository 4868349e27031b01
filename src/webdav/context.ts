import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebdavConfig } from '../config/config.js';
import type { Drive } from '../drive/drive.js';
import type { Entry } from '../drive/entries.js';
import type { User } from '../drive/users.js';
import { NotFoundError } from '../errors/domain-error.js';
import type { DavMount, DavPath } from './dav-path.js';
import type { LockManager } from './locks/lock-manager.js';
import type { DavPrincipal } from './principal.js';

/** What every method handler shares: the drive, the mount, the locks and the settings. */
export interface DavServices {
  drive: Drive;
  mount: DavMount;
  locks: LockManager;
  config: WebdavConfig;
  /** The longest lock timeout granted, in seconds ("Infinite" gets this). */
  maxLockSeconds: number;
  /** The largest XML body read (PROPFIND, PROPPATCH, LOCK); larger is 413. */
  xmlBodyLimit: number;
}

/** One authenticated request on one resource. */
export interface DavRequest {
  request: FastifyRequest;
  reply: FastifyReply;
  principal: DavPrincipal;
  user: User;
  target: DavPath;
}

export type DavHandler = (dav: DavRequest, services: DavServices) => Promise<void>;

/** A header's value, when it was sent once. */
export function header(dav: DavRequest, name: string): string | undefined {
  const value = dav.request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The entry at a drive path, or null when nothing is there (or a file sits where a folder would). */
export async function statOrNull(
  services: DavServices,
  user: User,
  drivePath: string,
): Promise<Entry | null> {
  try {
    return await services.drive.tree.stat(user, drivePath);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

/** Finder's AppleDouble (._name) and folder-settings (.DS_Store) files. */
export function isMacJunk(name: string | undefined): boolean {
  return name !== undefined && (name.startsWith('._') || name === '.DS_Store');
}

/** Whether a request names a Finder file that the settings say to ignore. */
export function ignoredMacFile(services: DavServices, names: readonly string[]): boolean {
  return services.config.macFiles === 'ignore' && isMacJunk(names[names.length - 1]);
}
