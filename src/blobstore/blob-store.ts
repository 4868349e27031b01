import type { Readable } from 'node:stream';

/** What a store can hold and how often it may commit; the layers above plan around these. */
export interface StoreLimits {
  /** Largest single object, in bytes. */
  maxObjectSize: number;
  /** Most entries one folder (key prefix up to a "/") may hold, or null when unbounded. */
  maxEntriesPerFolder: number | null;
  /** Commits allowed per rolling hour, or null when commits are free. */
  commitsPerHour: number | null;
  /** Most puts and deletes one commit may carry, or null when unbounded. */
  maxOperationsPerCommit: number | null;
}

/** An inclusive byte range, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobStat {
  key: string;
  size: number;
}

/**
 * The bytes of an object to put. `open` may be called more than once (a retried upload);
 * `path`, when present, names a local file holding the same bytes, which a store may copy or link
 * without streaming through JavaScript. The caller never changes that file afterwards.
 */
export interface BlobSource {
  size: number;
  sha256: string;
  open(): Readable;
  path?: string;
}

export interface CommitResult {
  /** The store's identifier of the commit, when it has one. */
  id: string | null;
  puts: number;
  deletes: number;
}

export interface StoreUsage {
  usedBytes: number | null;
  /** What the store may hold for this drive, when it can tell. */
  quotaBytes?: number | null;
}

/**
 * Object-store semantics over `/`-separated keys.
 *
 * `put` and `delete` only stage; `commit` applies everything staged before it, atomically: after a
 * crash, either all of a commit's changes are visible or none are. A staged put is not visible to
 * `get`, `stat` or `list` until its commit.
 */
export interface BlobStore {
  readonly kind: string;
  readonly limits: StoreLimits;
  /** Optional: ranged reads worth having in flight at once; a remote store gains from more. */
  readonly readAhead?: number;
  put(key: string, source: BlobSource): Promise<void>;
  /** Streams a committed object, or the given range of it. Throws BlobNotFoundError. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<BlobStat | null>;
  /**
   * Optional: reads `target.length` bytes of a committed object from `position` straight into
   * `target`, skipping the stream (the local store does this with positional reads).
   */
  readInto?(key: string, position: number, target: Buffer): Promise<void>;
  /** Every committed key that starts with `prefix`, in no particular order. */
  list(prefix: string): AsyncIterable<BlobStat>;
  delete(keys: readonly string[]): Promise<void>;
  /**
   * Optional: when the store's commits since `sinceMs` were made (ms), newest first, so that a
   * restarted writer spends only what its predecessor left of the hourly budget.
   */
  recentCommits?(sinceMs: number): Promise<number[]>;
  /** Optional: bytes the store holds for this drive, when it can tell (the Hub counts history). */
  usage?(): Promise<StoreUsage>;
  /**
   * Optional, for a store that keeps deleted objects in its history (the Hub): rewrites the history
   * so that only what the store holds now counts. Irreversible. The caller makes sure no commit runs
   * meanwhile.
   */
  reclaimHistory?(): Promise<void>;
  /**
   * Makes everything staged durable and visible. A commit with nothing staged is a no-op. Any error
   * leaves the staged changes staged for the next commit, except CommitRejectedError.
   */
  commit(message: string): Promise<CommitResult>;
  /** Releases resources; staged, uncommitted changes are abandoned. */
  close(): Promise<void>;
}
