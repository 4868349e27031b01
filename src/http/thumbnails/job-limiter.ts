/** Runs at most `limit` jobs at once; the others wait their turn, in call order. */
export class JobLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('the job limit must be 1 or more');
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await job();
    } finally {
      // The slot passes straight to the next job, so `running` never dips and lets a newcomer cut in.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
