import { randomBytes } from 'node:crypto';

export interface ArchiveRequest {
  userId: number;
  /** The session that asked (its id, the hash of its cookie): another sign-in cannot use the ticket. */
  sessionKey: string;
  /** Drive paths of the selection, all in one folder. */
  paths: string[];
}

export interface ArchiveTicketsOptions {
  ttlMs: number;
  /** Tickets a user may hold at once; the oldest goes beyond it. */
  maxPerUser: number;
  now?: () => number;
}

interface Held extends ArchiveRequest {
  expiresAt: number;
}

/**
 * Short-lived, single-use tickets for a zip download: a POST (JSON, CSRF-checked) names the
 * selection, and the browser then fetches the ticket's URL with a plain GET (a navigation or a
 * download link, which can send neither a body nor a header). Kept in memory: a restart forgets them.
 */
export class ArchiveTickets {
  private readonly held = new Map<string, Held>();
  private readonly now: () => number;

  constructor(private readonly options: ArchiveTicketsOptions) {
    this.now = options.now ?? Date.now;
  }

  issue(request: ArchiveRequest): { ticket: string; expiresAt: number } {
    const now = this.now();
    for (const [id, held] of this.held) if (held.expiresAt <= now) this.held.delete(id);
    const mine = [...this.held].filter(([, held]) => held.userId === request.userId);
    for (const [id] of mine.slice(0, Math.max(0, mine.length - this.options.maxPerUser + 1))) {
      this.held.delete(id);
    }
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now + this.options.ttlMs;
    this.held.set(ticket, { ...request, expiresAt });
    return { ticket, expiresAt };
  }

  /** The ticket's request, once: null when it is unknown, expired, used, or someone else's. */
  take(ticket: string, userId: number, sessionKey: string): ArchiveRequest | null {
    const held = this.held.get(ticket);
    if (!held) return null;
    if (held.expiresAt <= this.now()) {
      this.held.delete(ticket);
      return null;
    }
    if (held.userId !== userId || held.sessionKey !== sessionKey) return null;
    this.held.delete(ticket);
    return { userId: held.userId, sessionKey: held.sessionKey, paths: held.paths };
  }
}
