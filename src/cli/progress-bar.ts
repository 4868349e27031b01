import { formatSize } from '../config/sizes.js';
import type { Progress } from '../content/progress.js';

/** Where the bar is drawn: stderr, or a stand-in in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Redraws on a terminal at most this often. */
const REDRAW_MS = 100;
const BAR_WIDTH = 24;

function amount(value: number, unit: Progress['unit']): string {
  return unit === 'bytes' ? formatSize(value) : String(value);
}

/**
 * A progress bar on stderr. On a terminal one line is redrawn in place; elsewhere (a log file, a
 * pipe) it degrades to plain lines: one when a phase starts, and one per tenth of a known total.
 */
export class ProgressBar {
  private phase: string | null = null;
  private lastDraw = 0;
  private lastTenth = 0;
  private drawn = false;

  constructor(private readonly stream: ProgressStream = process.stderr) {}

  update(progress: Progress): void {
    if (this.stream.isTTY) this.draw(progress);
    else this.line(progress);
  }

  /** Clears the bar (on a terminal) so that what follows starts on a clean line. */
  finish(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
    this.phase = null;
  }

  private describe(progress: Progress): string {
    const { done, total, unit } = progress;
    if (total === null || total <= 0) return done > 0 ? amount(done, unit) : '';
    return `${amount(done, unit)} of ${amount(total, unit)}`;
  }

  private draw(progress: Progress): void {
    const now = Date.now();
    const changed = progress.phase !== this.phase;
    const complete = progress.total !== null && progress.done >= progress.total;
    if (!changed && !complete && now - this.lastDraw < REDRAW_MS) return;
    this.phase = progress.phase;
    this.lastDraw = now;
    let text = progress.phase;
    if (progress.total !== null && progress.total > 0) {
      const share = Math.min(1, progress.done / progress.total);
      const filled = Math.round(share * BAR_WIDTH);
      text += ` [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}%`;
    }
    const detail = this.describe(progress);
    if (detail) text += ` ${detail}`;
    const width = (this.stream.columns ?? 80) - 1;
    this.stream.write(`\r\x1b[2K${text.slice(0, width)}`);
    this.drawn = true;
  }

  private line(progress: Progress): void {
    if (progress.phase === 'done') return;
    if (progress.phase !== this.phase) {
      this.phase = progress.phase;
      this.lastTenth = 0;
      this.stream.write(`${progress.phase}…\n`);
    }
    const { done, total } = progress;
    if (total === null || total <= 0 || done <= 0) return;
    const tenth = Math.floor((Math.min(done, total) / total) * 10);
    if (tenth <= this.lastTenth) return;
    this.lastTenth = tenth;
    this.stream.write(`${progress.phase}: ${tenth * 10}% (${this.describe(progress)})\n`);
  }
}
