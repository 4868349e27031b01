/** How far a long maintenance run (gc, fsck) is, for a progress bar. */
export interface Progress {
  /** What it is doing, such as "verifying chunks". */
  phase: string;
  done: number;
  /** Null when not known ahead. */
  total: number | null;
  unit: 'items' | 'bytes';
}

export type ProgressListener = (progress: Progress) => void;

/** Calls the listener, if any, and never lets it break the run. */
export function reporter(listener: ProgressListener | undefined): ProgressListener {
  return (progress) => {
    try {
      listener?.(progress);
    } catch {
      // A broken progress display must not stop maintenance.
    }
  };
}
