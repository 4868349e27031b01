/**
 * Spends a store's commit allowance (for example the Hub's ~128 commits an hour) evenly over a
 * rolling hour, so that bursts never run into a 429 wall.
 */
export class CommitBudget {
  private readonly times: number[] = [];

  constructor(
    private readonly perHour: number | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until a commit may be made; 0 when one may be made now. */
  delay(): number {
    if (this.perHour === null) return 0;
    const hourAgo = this.now() - 3_600_000;
    while (this.times.length > 0 && this.times[0]! <= hourAgo) this.times.shift();
    if (this.times.length < this.perHour) return 0;
    return this.times[0]! - hourAgo;
  }

  /** Counts commits made before this budget existed (by a previous run, say). */
  seed(times: readonly number[]): void {
    if (this.perHour === null) return;
    this.times.push(...times);
    this.times.sort((a, b) => a - b);
  }

  record(): void {
    if (this.perHour !== null) this.times.push(this.now());
  }

  /** Commits left in the current rolling hour, or null when unbounded. */
  remaining(): number | null {
    if (this.perHour === null) return null;
    this.delay();
    return this.perHour - this.times.length;
  }
}
