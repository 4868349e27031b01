import type { GcReport } from '../content/garbage-collector.js';
import type { Logger } from '../observability/logger.js';

/** The part of the drive's maintenance the scheduler uses. */
export interface ScheduledGc {
  /** A gc or fsck is under way. */
  readonly busy: boolean;
  gc(): Promise<GcReport>;
}

/** When the schedule last started, kept across restarts (a Space restarting daily must still run gc). */
export interface GcClock {
  read(): Promise<number | null>;
  write(at: number): Promise<void>;
}

export interface GcSchedulerOptions {
  /** Milliseconds between runs (GC_INTERVAL), or null for never. */
  intervalMs: number | null;
  maintenance: ScheduledGc;
  logger: Logger;
  /** Without one, the schedule starts afresh at every start. */
  clock?: GcClock;
}

/** setTimeout takes at most this (about 24.8 days); GC_INTERVAL may be longer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs gc every GC_INTERVAL, skipping a turn while another gc (or an fsck) runs. */
export class GcScheduler {
  private timer: NodeJS.Timeout | null = null;
  private due = 0;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: GcSchedulerOptions) {}

  async start(): Promise<void> {
    const { intervalMs, clock, logger } = this.options;
    if (intervalMs === null || this.stopped) return;
    let last: number | null = null;
    try {
      last = (await clock?.read()) ?? null;
      if (last === null) await clock?.write(Date.now());
    } catch (error) {
      logger.warn({ err: error }, 'could not read when gc last ran; counting from now');
    }
    this.due = (last ?? Date.now()) + intervalMs;
    if (!this.stopped) this.arm();
  }

  private arm(): void {
    const wait = Math.min(Math.max(0, this.due - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      if (Date.now() < this.due) return this.arm();
      this.due = Date.now() + this.options.intervalMs!;
      this.options.clock?.write(Date.now()).catch(() => undefined);
      this.runDue();
      this.arm();
    }, wait);
    this.timer.unref();
  }

  /** Starts a run unless one is under way; says whether it did. */
  runDue(): boolean {
    const { maintenance, logger } = this.options;
    if (this.stopped) return false;
    if (this.running || maintenance.busy) {
      logger.info({}, 'scheduled gc skipped: another gc or fsck is running');
      return false;
    }
    this.running = maintenance
      .gc()
      .then(
        () => undefined,
        (error: unknown) => {
          if (!this.stopped) logger.error({ err: error }, 'scheduled gc failed');
        },
      )
      .finally(() => {
        this.running = null;
      });
    return true;
  }

  /** No run starts any more; one under way stops with the content engine. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
