import { TooManyRequestsError } from '../errors/domain-error.js';

export interface LoginRateLimitOptions {
  /** Failed attempts allowed per client address in one window. */
  maxFailures: number;
  windowMs: number;
}

/**
 * Counts failed sign-ins per client address in a fixed window; past the limit, further attempts are
 * refused with 429 until the window ends. Successful sign-ins are not counted.
 */
export class LoginRateLimit {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly options: LoginRateLimitOptions = { maxFailures: 10, windowMs: 15 * 60_000 }) {}

  check(ip: string, now = Date.now()): void {
    const entry = this.failures.get(ip);
    if (entry && entry.resetAt <= now) this.failures.delete(ip);
    else if (entry && entry.count >= this.options.maxFailures) {
      throw new TooManyRequestsError(
        'too many failed sign-in attempts; try again later',
        Math.ceil((entry.resetAt - now) / 1000),
      );
    }
  }

  fail(ip: string, now = Date.now()): void {
    if (this.failures.size > 100_000) this.prune(now);
    const entry = this.failures.get(ip);
    if (!entry || entry.resetAt <= now)
      this.failures.set(ip, { count: 1, resetAt: now + this.options.windowMs });
    else entry.count++;
  }

  private prune(now: number): void {
    for (const [ip, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(ip);
  }
}
