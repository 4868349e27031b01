import { HubError } from './hub-error.js';

const HOUR = 3_600_000;
const FIVE_MINUTES = 300_000;

/**
 * Commits per repo per rolling hour. Only commits that happen count (a refused or failed commit
 * does not; a super-squash does, it is a commit). State is seeded from the history's commit dates at
 * start, so a restart does not refill the budget.
 */
export class CommitBudget {
  private readonly times = new Map<string, number[]>();

  constructor(
    private readonly perHour: number,
    private readonly now: () => number,
  ) {}

  seed(repo: string, dates: readonly number[]): void {
    this.times.set(repo, [...dates]);
  }

  /** Throws the Hub's 429 when the repo has used its budget. */
  check(repo: string): void {
    const now = this.now();
    const times = (this.times.get(repo) ?? []).filter((t) => t > now - HOUR);
    this.times.set(repo, times);
    if (times.length < this.perHour) return;
    const seconds = Math.max(1, Math.ceil((times[times.length - this.perHour]! + HOUR - now) / 1000));
    throw new HubError(
      429,
      `You have exceeded the rate limit for repository commits (${this.perHour} per hour). Please retry in ${seconds} seconds.`,
      {
        headers: {
          'Retry-After': String(seconds),
          RateLimit: `"commits";r=0;t=${seconds}`,
          'RateLimit-Policy': `"commits";q=${this.perHour};w=3600`,
        },
      },
    );
  }

  record(repo: string, at: number): void {
    const times = this.times.get(repo) ?? [];
    times.push(at);
    this.times.set(repo, times);
  }
}

/** API calls per caller in fixed five-minute windows, as the Hub counts them. Unset: no limit. */
export class ApiBudget {
  private window = -1;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly perWindow: number,
    private readonly now: () => number,
  ) {}

  take(caller: string): void {
    const now = this.now();
    const window = Math.floor(now / FIVE_MINUTES);
    if (window !== this.window) {
      this.window = window;
      this.counts.clear();
    }
    const used = (this.counts.get(caller) ?? 0) + 1;
    this.counts.set(caller, used);
    if (used <= this.perWindow) return;
    const seconds = Math.max(1, Math.ceil(((window + 1) * FIVE_MINUTES - now) / 1000));
    throw new HubError(
      429,
      `You have exceeded the rate limit for API calls (${this.perWindow} per 5 minutes).`,
      {
        headers: {
          'Retry-After': String(seconds),
          RateLimit: `"api";r=0;t=${seconds}`,
          'RateLimit-Policy': `"api";q=${this.perWindow};w=300`,
        },
      },
    );
  }
}
