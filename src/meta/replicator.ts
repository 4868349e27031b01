import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import type { BlobStore } from '../blobstore/blob-store.js';
import type { CommitRider, RiderStage } from '../content/ports.js';
import type { Logger } from '../observability/logger.js';
import type { Database } from './database.js';
import { SqliteJournal, type JournalCut } from './journal.js';
import { listMeta, segmentKey, segmentSeq, snapshotKey, snapshotSeq } from './meta-layout.js';
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

/** What one commit attempt stages. */
interface Plan {
  cut: JournalCut | null;
  segment: Buffer | null;
  snapshot: SnapshotFile | null;
  prunes: string[];
  covers: number;
}

function operations(plan: Plan): number {
  return (plan.cut ? 1 : 0) + (plan.snapshot ? 1 : 0) + plan.prunes.length;
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
  /** Plans staged in the store and not yet committed (a failed attempt's stay staged). */
  private landing: Plan[] = [];
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
    const { snapshots, segments } = await listMeta(options.store);
    for (const seq of snapshots) replicator.snapshots.add(seq);
    for (const seq of segments) replicator.segments.add(seq);
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
      // Until a first snapshot is in the store no segment goes either: try again soon.
      if (this.snapshots.size === 0 && this.timer)
        setTimeout(() => void this.snapshotIfChanged(), 60_000).unref();
      return;
    }
    const previous = this.pending;
    this.pending = file;
    // A snapshot nobody staged yet is simply replaced; a staged one goes with its commit.
    if (previous && !this.landing.some((plan) => plan.snapshot === previous))
      await fs.rm(previous.path, { force: true });
    logger.info({ seq: file.seq, bytes: file.size }, 'metadata snapshot taken');
  }

  async waitingSince(all: boolean): Promise<number | null> {
    // What a failed commit staged goes with the next one.
    if (this.landing.length > 0) return 0;
    let since = await this.journal.waitingSince(all);
    if (this.pending && this.pending.seq <= (await this.journal.coverable())) {
      since = Math.min(since ?? Number.POSITIVE_INFINITY, this.pending.createdAt);
    }
    return since;
  }

  mark(): Promise<number> {
    return this.journal.newestPending();
  }

  shippedThrough(): Promise<number> {
    return this.journal.shipped();
  }

  /**
   * Plans afresh for every attempt (the flusher's batch may have changed). What an earlier, failed
   * attempt staged is still staged (a store keeps it after anything but a refusal) and lands with
   * this commit, so it counts against the room; it is a subset of the new plan's changes, since the
   * batch only grows while the packs stay staged.
   */
  async stage(committing: readonly number[], room: number): Promise<RiderStage> {
    const leftover = this.landing.reduce((sum, plan) => sum + operations(plan), 0);
    const plan = await this.plan(committing, room - leftover);
    const { store } = this.options;
    if (plan.cut && plan.segment) {
      const bytes = plan.segment;
      await store.put(segmentKey(plan.cut.to), {
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        open: () => Readable.from([bytes]),
      });
    }
    if (plan.snapshot) {
      const file = plan.snapshot;
      await store.put(snapshotKey(file.seq), {
        size: file.size,
        sha256: file.sha256,
        path: file.path,
        open: () => createReadStream(file.path),
      });
    }
    if (plan.prunes.length > 0) await store.delete(plan.prunes);
    this.landing.push(plan);
    return { operations: operations(plan), covers: plan.covers, committed: () => this.committed() };
  }

  abandon(): void {
    this.landing = [];
  }

  /** What the next commit carries: the journal's next segment, a due snapshot, and prunes. */
  private async plan(committing: readonly number[], room: number): Promise<Plan> {
    const { cut, covers } = await this.journal.cut(committing);
    const snapshotFits = this.pending !== null && this.pending.seq <= covers && room >= (cut ? 2 : 1);
    const snapshot = snapshotFits ? this.pending : null;
    // Segments go only once a snapshot is in the store (or goes with them): alone, they would
    // rebuild only what changed since they began (an upgraded drive's older rows would be lost).
    if (this.snapshots.size === 0 && !snapshot) {
      return { cut: null, segment: null, snapshot: null, prunes: [], covers: await this.journal.shipped() };
    }
    const left = room - (cut ? 1 : 0) - (snapshot ? 1 : 0);
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
    const segment = cut ? await encodeSegment(cut, this.schema) : null;
    return { cut, segment, snapshot, prunes, covers };
  }

  /** Everything staged landed: the plans of this attempt and of failed ones before it. */
  private async committed(): Promise<void> {
    const plans = this.landing;
    this.landing = [];
    this.lastError = null;
    let shipped = 0;
    for (const plan of plans) {
      for (const key of plan.prunes) {
        const snapshot = snapshotSeq(key);
        if (snapshot !== null) this.snapshots.delete(snapshot);
        const segment = segmentSeq(key);
        if (segment !== null) this.segments.delete(segment);
      }
      if (plan.cut) {
        if (!this.segments.has(plan.cut.to)) this.segmentsSinceSnapshot++;
        this.segments.add(plan.cut.to);
        shipped = Math.max(shipped, plan.cut.to);
      }
      const file = plan.snapshot;
      if (file && !this.snapshots.has(file.seq)) {
        this.snapshots.add(file.seq);
        this.lastSnapshot = { seq: file.seq, at: file.createdAt, bytes: file.size };
        this.segmentsSinceSnapshot = [...this.segments].filter((s) => s > file.seq).length;
        if (this.pending === file) this.pending = null;
        this.copy(file);
      }
    }
    if (shipped > 0) await this.journal.markShipped(shipped);
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
      oldestPendingAt: await this.journal.oldestPending(),
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
