import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A signed permission for an anonymous visitor, and when it runs out. */
export interface Grant {
  value: string;
  expiresAt: number;
}

/**
 * Expiring permissions given to share visitors in cookies, signed with HMAC-SHA-256 rather than kept
 * in a table or in memory: nothing grows with the number of visitors, nothing needs sweeping, and no
 * secret lands in the database (which is copied into the store). The key is made at start-up and
 * never stored, so a restart asks visitors for a share's password again; that is the price.
 *
 * A grant names what it is for (`purpose`) and what it is about (`subject`: the share, and for a
 * download the file); it verifies only for that same purpose and subject, until it expires.
 */
export class ShareGrants {
  private readonly key = randomBytes(32);

  issue(purpose: string, subject: string, ttlMs: number, now = Date.now()): Grant {
    const expiresAt = now + ttlMs;
    return { value: `${expiresAt}.${this.sign(purpose, subject, expiresAt)}`, expiresAt };
  }

  verify(purpose: string, subject: string, value: string | undefined, now = Date.now()): boolean {
    if (value === undefined) return false;
    const match = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!match) return false;
    const expiresAt = Number(match[1]);
    if (expiresAt <= now) return false;
    const expected = Buffer.from(this.sign(purpose, subject, expiresAt));
    const given = Buffer.from(match[2]!);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(purpose: string, subject: string, expiresAt: number): string {
    return createHmac('sha256', this.key).update(`${purpose}\n${subject}\n${expiresAt}`).digest('base64url');
  }
}
