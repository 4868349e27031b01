import type { Logger } from '../observability/logger.js';

/** The part of the upload service the sweeper uses. */
export interface ExpiringUploads {
  removeExpired(now?: number): Promise<number>;
}

export interface UploadExpiryOptions {
  uploads: ExpiringUploads;
  /** Milliseconds between sweeps. */
  intervalMs: number;
  logger: Logger;
}

/** An hour: uploads expire after days; a sweep is a query when nothing is due. */
export const UPLOAD_SWEEP_INTERVAL_MS = 3600 * 1000;

/**
 * Forgets expired uploads, releasing the chunks they held: once at start-up (the drive may have
 * been down when they expired), then on a timer.
 */
export class UploadExpiry {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: UploadExpiryOptions) {}

  /** Sweeps once, then every interval. */
  async start(): Promise<void> {
    await this.sweep();
    if (this.stopped) return;
    this.timer = setInterval(() => void this.sweep(), this.options.intervalMs);
    this.timer.unref();
  }

  /** One sweep (none starts while one runs); failures are logged, the next sweep tries again. */
  sweep(): Promise<void> {
    this.running ??= this.options.uploads
      .removeExpired()
      .then(
        (removed) => {
          if (removed > 0) this.options.logger.info({ removed }, 'expired uploads removed');
        },
        (error: unknown) => {
          if (!this.stopped) this.options.logger.error({ err: error }, 'removing expired uploads failed');
        },
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** No sweep starts any more; resolves once the one under way is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
