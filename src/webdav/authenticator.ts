import { createHmac, randomBytes } from 'node:crypto';
import type { CredentialRef } from '../drive/app-passwords.js';
import type { Drive } from '../drive/drive.js';
import { UnauthorizedError } from '../errors/domain-error.js';
import { clientKey } from '../http/login-rate-limit.js';
import { defaultPasswordLimits, type PasswordLimits } from '../http/routes/auth-routes.js';
import type { DavPrincipal } from './principal.js';

/**
 * Checks a WebDAV client's Basic credentials: the user's own password or one of their app passwords.
 * Null when they are wrong; throws TooManyRequestsError (429) while the client or account is locked out.
 */
export type DavAuthenticate = (
  username: string,
  password: string,
  ip: string,
) => Promise<DavPrincipal | null>;

export interface DavAuthenticatorOptions {
  /** Shared with the login route, so WebDAV gives a guesser no extra attempts. */
  limits?: PasswordLimits;
  /** How long a verified sign-in is remembered. */
  cacheTtlMs?: number;
  maxCacheEntries?: number;
  now?: () => number;
}

interface Verified {
  principal: DavPrincipal;
  ref: CredentialRef;
  expiresAt: number;
  touchedAt: number;
}

// Bounds on input size only (a username is at most 64 characters, some of them two UTF-16 units).
const MAX_USERNAME_LENGTH = 256;
const MAX_PASSWORD_LENGTH = 1024;
/** last_used_at is a hint, written at most this often per app password rather than per request. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Every WebDAV request carries the password, and argon2 costs tens of milliseconds, so a verified
 * sign-in is remembered for a short time under a keyed hash of (username, password) (the key lives
 * only in this process, so the map holds nothing that could be checked offline). Each hit is
 * re-checked with one indexed query, so a changed password, a revoked app password or a disabled
 * user stops working at once.
 */
export function createDavAuthenticator(drive: Drive, options: DavAuthenticatorOptions = {}): DavAuthenticate {
  const limits = options.limits ?? defaultPasswordLimits();
  const ttl = options.cacheTtlMs ?? 2 * 60_000;
  const maxEntries = options.maxCacheEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cacheKey = randomBytes(32);
  const cache = new Map<string, Verified>();
  const pending = new Map<string, Promise<Verified | null>>();

  const remember = (key: string, entry: Verified): void => {
    if (cache.size >= maxEntries) {
      const time = now();
      for (const [k, v] of cache) if (v.expiresAt <= time) cache.delete(k);
      // Still full: drop the oldest, which Map iteration yields first.
      while (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, entry);
  };

  const verify = async (username: string, password: string, ip: string): Promise<Verified | null> => {
    const byClient = limits.perClient.begin(clientKey(ip));
    const byAccount = limits.perAccount.begin(`account:${username.normalize('NFC').toLowerCase()}`);
    const time = now();
    const app = await drive.appPasswords.match(username, password);
    if (app) {
      byClient.succeeded();
      byAccount.succeeded();
      await drive.appPasswords.touch(app.id, time);
      const principal = {
        userId: app.userId,
        username: app.username,
        readOnly: app.readOnly,
        root: app.root,
      };
      return { principal, ref: { kind: 'app', id: app.id }, expiresAt: time + ttl, touchedAt: time };
    }
    // Read before the check: if the password changes meanwhile, the remembered hash is stale at once.
    const ref = await drive.appPasswords.passwordRef(username);
    let user;
    try {
      user = await drive.users.authenticate(username, password);
    } catch (error) {
      if (error instanceof UnauthorizedError) return null;
      throw error;
    }
    byClient.succeeded();
    byAccount.succeeded();
    if (!ref || ref.kind !== 'password' || ref.userId !== user.id) return null;
    const principal = { userId: user.id, username: user.username, readOnly: false, root: '/' };
    return { principal, ref, expiresAt: time + ttl, touchedAt: time };
  };

  return async (username, password, ip) => {
    if (!username || !password || username.length > MAX_USERNAME_LENGTH) return null;
    if (password.length > MAX_PASSWORD_LENGTH) return null;
    const key = createHmac('sha256', cacheKey)
      .update(username.normalize('NFC'))
      .update('\0')
      .update(password)
      .digest('base64');

    const cached = cache.get(key);
    if (cached) {
      const time = now();
      if (cached.expiresAt > time && (await drive.appPasswords.stillValid(cached.ref))) {
        if (cached.ref.kind === 'app' && time - cached.touchedAt >= TOUCH_INTERVAL_MS) {
          cached.touchedAt = time;
          await drive.appPasswords.touch(cached.ref.id, time);
        }
        return cached.principal;
      }
      cache.delete(key);
    }

    // Parallel requests with the same new credentials share one check (and count as one attempt).
    let check = pending.get(key);
    if (!check) {
      check = verify(username, password, ip).finally(() => pending.delete(key));
      pending.set(key, check);
    }
    const verified = await check;
    if (!verified) return null;
    if (!cache.has(key)) remember(key, verified);
    return verified.principal;
  };
}
