/** Bytes per second over the last few seconds of progress samples. */
export class SpeedMeter {
  private samples: { at: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  add(bytes: number, at = performance.now()): void {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[0]!.at > this.windowMs) this.samples.shift();
  }

  reset(): void {
    this.samples = [];
  }

  perSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 250) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }
}
