import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../meta/database.js';
import { toUser, type User } from './users.js';

export interface Session {
  /** The SHA-256 of the cookie's token: names the session without being its secret. */
  id: string;
  user: User;
  csrfToken: string;
  expiresAt: number;
}

export interface NewSession extends Session {
  /** The secret for the cookie; only its hash is stored. */
  token: string;
}

const TOUCH_EVERY_MS = 60_000;

function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Sign-in sessions: random tokens whose SHA-256 is the key, with a CSRF token bound to each. */
export class SessionService {
  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
  ) {}

  async create(user: User): Promise<NewSession> {
    const now = Date.now();
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttlMs;
    const id = tokenId(token);
    await this.db.deleteFrom('sessions').where('expires_at', '<', now).execute();
    await this.db
      .insertInto('sessions')
      .values({
        id,
        user_id: user.id,
        csrf_token: csrfToken,
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
      })
      .execute();
    return { id, token, csrfToken, expiresAt, user };
  }

  /** The live session for a cookie token, or null (unknown, expired, or the user is disabled). */
  async resolve(token: string): Promise<Session | null> {
    if (token.length === 0 || token.length > 128) return null;
    const id = tokenId(token);
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(['sessions.csrf_token', 'sessions.expires_at', 'sessions.last_seen_at'])
      .where('sessions.id', '=', id)
      .executeTakeFirst();
    const now = Date.now();
    if (!row || row.expires_at <= now || row.disabled) return null;
    if (now - row.last_seen_at > TOUCH_EVERY_MS) {
      // Sliding expiry: an active session stays signed in.
      await this.db
        .updateTable('sessions')
        .set({ last_seen_at: now, expires_at: now + this.ttlMs })
        .where('id', '=', id)
        .execute();
    }
    return { id, user: toUser(row), csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  async destroy(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', tokenId(token)).execute();
  }
}
