import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import type { BlobStore } from '../blobstore/blob-store.js';
import type { CommitRider, RiderStage } from '../content/ports.js';
import type { Logger } from '../observability/logger.js';
import type { Database } from './database.js';
import { SqliteJournal, type JournalCut } from './journal.js';
import { segmentKey, segmentSeq, snapshotKey, snapshotSeq } from './meta-layout.js';
import { migrationNames } from './migrations/index.js';
import { encodeSegment } from './segment-format.js';
import { takeSnapshot, type SnapshotFile } from './snapshot.js';

/** Where each snapshot also goes, when configured (a WebDAV folder); its failures never stop the drive. */
export interface SnapshotCopies {
  upload(seq: number, file: string): Promise<void>;
  status(): unknown;
}

export interface ReplicatorOptions {
  db: Database;
  /** The live database file (snapshots read it through a connection of their own). */
  dbFile: string;
  store: BlobStore;
  /** A folder of its own for snapshot files on their way out. */
  workDir: string;
  snapshotIntervalMs: number;
  logger: Logger;
  copies?: SnapshotCopies | null;
  /** A snapshot is taken early once this many segments follow the last one (bounds the folder). */
  maxSegmentsPerSnapshot?: number;
}

export interface ReplicationStatus {
  /** The newest change logged, and the newest one in the store. */
  latestSeq: number;
  shippedSeq: number;
  /** When the oldest change not yet in the store was made (ms), or null when the store has them all. */
  oldestPendingAt: number | null;
  snapshotsInStore: number;
  segmentsInStore: number;
  lastSnapshot: { seq: number; at: number; bytes: number } | null;
  /** A snapshot made and waiting for its commit. */
  pendingSnapshotSeq: number | null;
  lastError: string | null;
  backup: unknown;
}

/** What one commit carries; kept until that commit lands, so that a retry carries the same. */
interface Staged {
  cut: JournalCut | null;
  segment: Buffer | null;
  snapshot: SnapshotFile | null;
  prunes: string[];
  covers: number;
}

/** Snapshots and segments kept: the newest two snapshots and every segment after the older one. */
const SNAPSHOTS_KEPT = 2;
const MAX_PRUNES_PER_COMMIT = 40;

/**
 * Mirrors the metadata database into the store: the journal's changes ride every commit as a
 * segment (only those whose packs are in the store by then), a full snapshot goes every
 * SYNC_INTERVAL and at shutdown, and segments and snapshots no restore needs are pruned.
 */
export class Replicator implements CommitRider {
  private readonly journal: SqliteJournal;
  private readonly snapshots = new Set<number>();
  private readonly segments = new Set<number>();
  private staged: Staged | null = null;
  private pending: SnapshotFile | null = null;
  private lastSnapshot: ReplicationStatus['lastSnapshot'] = null;
  private segmentsSinceSnapshot = 0;
  private taking: Promise<void> | null = null;
  private copying: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private lastError: string | null = null;
  private readonly schema: string;

  private constructor(private readonly options: ReplicatorOptions) {
    this.journal = new SqliteJournal(options.db);
    this.schema = migrationNames().at(-1)!;
  }

  /** Reads which snapshots and segments the store holds. */
  static async open(options: ReplicatorOptions): Promise<Replicator> {
    const replicator = new Replicator(options);
    await fs.rm(options.workDir, { recursive: true, force: true });
    await fs.mkdir(options.workDir, { recursive: true });
    for await (const { key } of options.store.list('meta/')) {
      const snapshot = snapshotSeq(key);
      if (snapshot !== null) replicator.snapshots.add(snapshot);
      const segment = segmentSeq(key);
      if (segment !== null) replicator.segments.add(segment);
    }
    const newest = Math.max(-1, ...replicator.snapshots);
    if (newest >= 0) {
      replicator.lastSnapshot = { seq: newest, at: 0, bytes: 0 };
      replicator.segmentsSinceSnapshot = [...replicator.segments].filter((s) => s > newest).length;
    }
    return replicator;
  }

  /** Snapshots on schedule; the first at once when the store has none. */
  start(): void {
    this.timer = setInterval(() => void this.snapshotIfChanged(), this.options.snapshotIntervalMs);
    this.timer.unref();
    if (this.snapshots.size === 0) void this.snapshotNow();
  }

  /** Takes a snapshot when anything changed since the last one (shutdown, and the schedule). */
  async snapshotIfChanged(): Promise<void> {
    const latest = await this.journal.latestSeq();
    if (latest > (this.pending?.seq ?? this.lastSnapshot?.seq ?? -1)) await this.snapshotNow();
  }

  /** Takes a snapshot of the database as it is now; it leaves with the next commit that may carry it. */
  async snapshotNow(): Promise<void> {
    while (this.taking) await this.taking;
    this.taking = this.take().finally(() => {
      this.taking = null;
    });
    return this.taking;
  }

  private async take(): Promise<void> {
    const { logger } = this.options;
    let file: SnapshotFile;
    try {
      file = await takeSnapshot({ dbFile: this.options.dbFile, dir: this.options.workDir });
    } catch (error) {
      this.lastError = `snapshot failed: ${(error as Error).message}`;
      logger.error({ err: error }, 'could not take a metadata snapshot');
      return;
    }
    const previous = this.pending;
    this.pending = file;
    // A snapshot nobody staged yet is simply replaced; a staged one goes with its commit.
    if (previous && this.staged?.snapshot !== previous) await fs.rm(previous.path, { force: true });
    logger.info({ seq: file.seq, bytes: file.size }, 'metadata snapshot taken');
  }

  async waitingSince(all: boolean): Promise<number | null> {
    // A commit that failed carries the same again.
    if (this.staged) return 0;
    let since = await this.journal.waitingSince(all);
    if (this.pending && this.pending.seq <= (await this.journal.coverable())) {
      since = Math.min(since ?? Number.POSITIVE_INFINITY, this.pending.createdAt);
    }
    return since;
  }

  mark(): Promise<number> {
    return this.journal.latestSeq();
  }

  async stage(committing: readonly number[], room: number): Promise<RiderStage> {
    this.staged ??= await this.plan(committing, room);
    const staged = this.staged;
    const { store } = this.options;
    if (staged.cut && staged.segment) {
      const bytes = staged.segment;
      await store.put(segmentKey(staged.cut.to), {
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        open: () => Readable.from([bytes]),
      });
    }
    if (staged.snapshot) {
      const file = staged.snapshot;
      await store.put(snapshotKey(file.seq), {
        size: file.size,
        sha256: file.sha256,
        path: file.path,
        open: () => createReadStream(file.path),
      });
    }
    if (staged.prunes.length > 0) await store.delete(staged.prunes);
    return {
      operations: (staged.cut ? 1 : 0) + (staged.snapshot ? 1 : 0) + staged.prunes.length,
      covers: staged.covers,
      committed: () => this.committed(staged),
    };
  }

  /** What the next commit carries: the journal's next segment, a due snapshot, and prunes. */
  private async plan(committing: readonly number[], room: number): Promise<Staged> {
    const { cut, covers } = await this.journal.cut(committing);
    let left = room - (cut ? 1 : 0);
    const snapshot = this.pending && this.pending.seq <= covers && left >= 1 ? this.pending : null;
    if (snapshot) left--;
    const snapshots = [...this.snapshots, ...(snapshot ? [snapshot.seq] : [])].sort((a, b) => b - a);
    const prunes: string[] = [];
    // The segments a restore from the older kept snapshot needs stay; with one snapshot, all stay.
    if (snapshots.length >= SNAPSHOTS_KEPT) {
      const oldestKept = snapshots[SNAPSHOTS_KEPT - 1]!;
      for (const seq of snapshots.slice(SNAPSHOTS_KEPT)) prunes.push(snapshotKey(seq));
      for (const to of [...this.segments].sort((a, b) => a - b))
        if (to <= oldestKept) prunes.push(segmentKey(to));
    }
    prunes.splice(Math.max(0, Math.min(left, MAX_PRUNES_PER_COMMIT)));
    return { cut, segment: cut ? encodeSegment(cut, this.schema) : null, snapshot, prunes, covers };
  }

  private async committed(staged: Staged): Promise<void> {
    this.staged = null;
    this.lastError = null;
    for (const key of staged.prunes) {
      const snapshot = snapshotSeq(key);
      if (snapshot !== null) this.snapshots.delete(snapshot);
      const segment = segmentSeq(key);
      if (segment !== null) this.segments.delete(segment);
    }
    if (staged.cut) {
      this.segments.add(staged.cut.to);
      this.segmentsSinceSnapshot++;
      await this.journal.markShipped(staged.cut.to);
    }
    const file = staged.snapshot;
    if (file) {
      this.snapshots.add(file.seq);
      this.lastSnapshot = { seq: file.seq, at: file.createdAt, bytes: file.size };
      this.segmentsSinceSnapshot = [...this.segments].filter((s) => s > file.seq).length;
      if (this.pending === file) this.pending = null;
      this.copy(file);
    }
    if (this.segmentsSinceSnapshot >= (this.options.maxSegmentsPerSnapshot ?? 2000) && !this.pending) {
      void this.snapshotNow();
    }
  }

  /** Sends a committed snapshot to the extra copy, if any, then drops the local file. */
  private copy(file: SnapshotFile): void {
    const { copies, logger } = this.options;
    this.copying = this.copying.then(async () => {
      try {
        if (copies) await copies.upload(file.seq, file.path);
      } catch (error) {
        // Logged and shown in the status; the store holds the snapshot regardless.
        logger.warn({ err: error }, 'could not copy the metadata snapshot to WEBDAV_URL');
      } finally {
        await fs.rm(file.path, { force: true });
      }
    });
  }

  async status(): Promise<ReplicationStatus> {
    return {
      latestSeq: await this.journal.latestSeq(),
      shippedSeq: await this.journal.shipped(),
      oldestPendingAt: this.staged ? Date.now() : await this.journal.oldestPending(),
      snapshotsInStore: this.snapshots.size,
      segmentsInStore: this.segments.size,
      lastSnapshot: this.lastSnapshot,
      pendingSnapshotSeq: this.pending?.seq ?? null,
      lastError: this.lastError,
      backup: this.options.copies?.status() ?? null,
    };
  }

  /** Stops the schedule and waits for a snapshot or copy under way. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.taking;
    await this.copying;
  }
}
