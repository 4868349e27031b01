import { randomUUID } from 'node:crypto';

export type LockScope = 'exclusive' | 'shared';
export type LockDepth = '0' | 'infinity';

/** A WebDAV write lock on a drive path of one user (RFC 4918 §6, §7). */
export interface ActiveLock {
  token: string;
  userId: number;
  /** The drive path of the lock root. */
  path: string;
  scope: LockScope;
  depth: LockDepth;
  /** The owner element's content as the client sent it (an XML fragment), or null. */
  owner: string | null;
  timeoutSeconds: number;
  expiresAt: number;
}

export interface NewLock {
  userId: number;
  path: string;
  scope: LockScope;
  depth: LockDepth;
  owner: string | null;
  timeoutSeconds: number;
}

export interface LockManagerOptions {
  now?: () => number;
}

export type LockResult = { lock: ActiveLock } | { conflict: ActiveLock };

/**
 * The locks, in memory and keyed by path: a restart forgets them, which clients survive (a lock is
 * a lease they refresh). Expired locks are dropped as they are met. Trees are per user, so a user's
 * locks only ever apply to that user's paths.
 */
export class LockManager {
  private readonly byToken = new Map<string, ActiveLock>();
  /** userId → lock root path → tokens. */
  private readonly byUser = new Map<number, Map<string, Set<string>>>();
  private readonly now: () => number;

  constructor(options: LockManagerOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Takes a lock, or names a lock it conflicts with (an exclusive lock conflicts with any other). */
  create(request: NewLock): LockResult {
    const related = [...this.covering(request.userId, request.path)];
    if (request.depth === 'infinity') related.push(...this.below(request.userId, request.path));
    const conflict = related.find((l) => l.scope === 'exclusive' || request.scope === 'exclusive');
    if (conflict) return { conflict };
    const lock: ActiveLock = {
      ...request,
      token: `urn:uuid:${randomUUID()}`,
      expiresAt: this.now() + request.timeoutSeconds * 1000,
    };
    this.byToken.set(lock.token, lock);
    let paths = this.byUser.get(lock.userId);
    if (!paths) this.byUser.set(lock.userId, (paths = new Map()));
    let tokens = paths.get(lock.path);
    if (!tokens) paths.set(lock.path, (tokens = new Set()));
    tokens.add(lock.token);
    return { lock };
  }

  /** The live lock with this token, if any. */
  get(token: string): ActiveLock | undefined {
    const lock = this.byToken.get(token);
    if (lock && lock.expiresAt <= this.now()) {
      this.remove(lock);
      return undefined;
    }
    return lock;
  }

  /** Starts a lock's timeout again, with a new length. */
  refresh(token: string, timeoutSeconds: number): ActiveLock | undefined {
    const lock = this.get(token);
    if (!lock) return undefined;
    lock.timeoutSeconds = timeoutSeconds;
    lock.expiresAt = this.now() + timeoutSeconds * 1000;
    return lock;
  }

  release(token: string): boolean {
    const lock = this.get(token);
    if (!lock) return false;
    this.remove(lock);
    return true;
  }

  /** Locks that apply to a path: rooted at it, or depth-infinity locks rooted above it. */
  covering(userId: number, path: string): ActiveLock[] {
    const paths = this.byUser.get(userId);
    if (!paths) return [];
    const found: ActiveLock[] = [];
    for (const ancestor of ancestorsOf(path)) {
      for (const lock of this.live(paths.get(ancestor))) {
        if (ancestor === path || lock.depth === 'infinity') found.push(lock);
      }
    }
    return found;
  }

  /** Locks rooted at the path itself only (whatever their depth). */
  rootedAt(userId: number, path: string): ActiveLock[] {
    return this.live(this.byUser.get(userId)?.get(path));
  }

  /** Locks rooted strictly below a path. */
  below(userId: number, path: string): ActiveLock[] {
    const paths = this.byUser.get(userId);
    if (!paths) return [];
    const prefix = path === '/' ? '/' : `${path}/`;
    const found: ActiveLock[] = [];
    for (const [root, tokens] of paths) {
      if (root !== path && root.startsWith(prefix)) found.push(...this.live(tokens));
    }
    return found;
  }

  /** Drops every lock rooted at or below a path (its resources were moved or deleted). */
  removeTree(userId: number, path: string): void {
    for (const lock of [...this.rootedAt(userId, path), ...this.below(userId, path)]) this.remove(lock);
  }

  private live(tokens: Set<string> | undefined): ActiveLock[] {
    if (!tokens) return [];
    const found: ActiveLock[] = [];
    for (const token of [...tokens]) {
      const lock = this.get(token);
      if (lock) found.push(lock);
    }
    return found;
  }

  private remove(lock: ActiveLock): void {
    this.byToken.delete(lock.token);
    const paths = this.byUser.get(lock.userId);
    const tokens = paths?.get(lock.path);
    if (!paths || !tokens) return;
    tokens.delete(lock.token);
    if (tokens.size === 0) paths.delete(lock.path);
    if (paths.size === 0) this.byUser.delete(lock.userId);
  }
}

/** "/", "/a", "/a/b" for "/a/b". */
function ancestorsOf(path: string): string[] {
  const result = ['/'];
  let at = path.indexOf('/', 1);
  while (at > 0) {
    result.push(path.slice(0, at));
    at = path.indexOf('/', at + 1);
  }
  if (path !== '/') result.push(path);
  return result;
}
