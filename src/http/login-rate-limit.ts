import ipaddr from 'ipaddr.js';
import { TooManyRequestsError } from '../errors/domain-error.js';

export interface LoginRateLimitOptions {
  /** Failed attempts allowed per key in one window. */
  maxFailures: number;
  windowMs: number;
}

export interface Attempt {
  /** The password was right: the attempt does not count against the key. */
  succeeded(): void;
}

/**
 * Counts password attempts per key (a client address, or an account) in a fixed window; past the
 * limit, further attempts are refused with 429 until the window ends. An attempt counts from the
 * moment it starts, so parallel attempts cannot slip past the limit while their hashes are checked;
 * a successful one gives its count back.
 */
export class LoginRateLimit {
  private readonly counts = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly options: LoginRateLimitOptions = { maxFailures: 10, windowMs: 15 * 60_000 }) {}

  begin(key: string, now = Date.now()): Attempt {
    if (this.counts.size > 100_000) this.prune(now);
    let entry = this.counts.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + this.options.windowMs };
      this.counts.set(key, entry);
    }
    if (entry.count >= this.options.maxFailures) {
      throw new TooManyRequestsError(
        'too many failed attempts; try again later',
        Math.ceil((entry.resetAt - now) / 1000),
      );
    }
    entry.count++;
    const counted = entry;
    let done = false;
    return {
      succeeded: () => {
        if (done) return;
        done = true;
        counted.count = Math.max(0, counted.count - 1);
      },
    };
  }

  private prune(now: number): void {
    for (const [key, entry] of this.counts) if (entry.resetAt <= now) this.counts.delete(key);
  }
}

/** The rate-limit key of a client address: IPv6 clients get a /64 each, as ISPs hand them out. */
export function clientKey(ip: string): string {
  try {
    const address = ipaddr.process(ip);
    if (address.kind() === 'ipv6') {
      const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
      return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
    }
    return address.toString();
  } catch {
    return ip;
  }
}
