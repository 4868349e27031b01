import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobStore } from '../blobstore/blob-store.js';
import { ConflictError } from '../errors/domain-error.js';
import type { Logger } from '../observability/logger.js';
import type { ConsistencyCheck } from './consistency-check.js';
import type { IngestPins } from './ingest-pins.js';
import type { DeadChunkCriteria, GcCatalog, ManifestRoots } from './ports.js';
import { reporter, type ProgressListener } from './progress.js';
import { abortable, type Repacker, type RepackPolicy } from './repacker.js';

export interface GcOptions {
  /** Say what would be dropped, repacked and deleted; change nothing. */
  dryRun?: boolean;
  /** Packs whose live bytes are under this share of their size are rewritten (DEFAULT_GC_LIVE_RATIO). */
  liveRatio?: number;
  onProgress?: ProgressListener;
}

export interface GcReport {
  dryRun: boolean;
  /** Chunk rows no manifest uses, dropped (with dryRun: that would be), and their stored bytes. */
  chunksDropped: number;
  bytesDropped: number;
  /** Packs whose live chunks were copied into new packs. */
  packsRepacked: number;
  /** New packs written (with dryRun: an estimate). */
  packsWritten: number;
  bytesMoved: number;
  /** Packs deleted from the store. */
  packsDeleted: number;
  /** Objects under packs/ that no pack record knows, deleted. */
  orphansDeleted: number;
  /** The store's history was rewritten so that deleted objects stop counting (the Hub). */
  historyReclaimed: boolean;
  /** Bytes of the objects the store lists, before and after. */
  storeBytesBefore: number;
  storeBytesAfter: number;
  /** What the store says it uses (on the Hub, history included), before and after; null if it cannot say. */
  usageBefore: number | null;
  usageAfter: number | null;
}

/** Rewriting a pack costs its live bytes; below 80% live, at least a fifth of it comes back. */
export const DEFAULT_GC_LIVE_RATIO = 0.8;
/** History is rewritten when it holds more than this beyond the listed objects. */
const HISTORY_SLACK = 1024 * 1024;
/** Repack rounds one gc runs at most (each moves up to the policy's bytes and packs). */
const MAX_ROUNDS = 10_000;

/** Garbage collection does not start on reference counts it cannot trust. */
export class GcRefusedError extends ConflictError {
  constructor(problems: number) {
    super(
      `${problems} reference count${problems === 1 ? ' is' : 's are'} wrong; gc changes nothing until \`hubdrive fsck --repair\` corrects ${problems === 1 ? 'it' : 'them'}`,
      'GC_NEEDS_REPAIR',
    );
  }
}

export interface GarbageCollectorDeps {
  store: BlobStore;
  catalog: GcCatalog;
  repacker: Repacker;
  check: ConsistencyCheck;
  pins: IngestPins;
  /** Deletes objects with a coming store commit, paced and budgeted (the flusher's). */
  deleteObjects(keys: readonly string[]): Promise<void>;
  /** Runs work while no store commit is under way (the flusher's). */
  betweenCommits<T>(work: () => Promise<T>): Promise<T>;
  /** The engine's repack policy: its grace period and the limits of one round. */
  policy: RepackPolicy;
  packSize: number;
  logger: Logger;
}

interface Measure {
  listedBytes: number;
  usage: number | null;
}

/**
 * `gc`: drops chunks no manifest uses, rewrites packs that are mostly dead, deletes the packs left
 * behind (after the grace period for reads, through the flusher's paced commits) and objects no
 * pack is, and on a store that keeps history (the Hub) rewrites it so that the space is returned.
 * The caller runs it alone: never beside a repack run.
 */
export class GarbageCollector {
  constructor(private readonly deps: GarbageCollectorDeps) {}

  async run(roots: ManifestRoots, options: GcOptions, signal: AbortSignal): Promise<GcReport> {
    const { catalog, pins, check, logger } = this.deps;
    const progress = reporter(options.onProgress);
    const dryRun = options.dryRun === true;
    const liveRatio = options.liveRatio ?? DEFAULT_GC_LIVE_RATIO;
    progress({ phase: 'checking reference counts', done: 0, total: null, unit: 'items' });
    const wrong = await check.countProblems(roots);
    if (wrong > 0) throw new GcRefusedError(wrong);
    const before = await this.measure();
    const report: GcReport = {
      dryRun,
      chunksDropped: 0,
      bytesDropped: 0,
      packsRepacked: 0,
      packsWritten: 0,
      bytesMoved: 0,
      packsDeleted: 0,
      orphansDeleted: 0,
      historyReclaimed: false,
      storeBytesBefore: before.listedBytes,
      storeBytesAfter: before.listedBytes,
      usageBefore: before.usage,
      usageAfter: before.usage,
    };
    const criteria: DeadChunkCriteria = {
      belowPackId: () => pins.firstPackInUse(),
      pinned: () => pins.pinnedChunks(),
    };
    // Packs written from here on (this gc's own) are never rewritten by it: with small chunks, a
    // fresh pack's trailer alone can keep it under a high threshold, round after round.
    const newest = (await catalog.packs()).reduce((max, p) => Math.max(max, p.id), 0);
    const policy: RepackPolicy = { ...this.deps.policy, liveRatio, onlyBelowPackId: newest + 1 };
    progress({ phase: 'dropping unreferenced chunks', done: 0, total: null, unit: 'items' });
    if (dryRun) return this.plan(criteria, policy, before, report);
    const dead = await catalog.dropDeadChunks(criteria, Date.now());
    report.chunksDropped = dead.chunks;
    report.bytesDropped = dead.bytes;
    await this.repack(policy, report, signal, options.onProgress);
    await this.deleteRetired(policy, report, signal, options.onProgress);
    signal.throwIfAborted();
    const orphans = await this.orphans();
    if (orphans.length > 0) {
      progress({ phase: 'deleting orphan objects', done: 0, total: orphans.length, unit: 'items' });
      // Shutdown does not wait for a paced commit: the urgent flush takes the deletions.
      await abortable(this.deps.deleteObjects(orphans), signal);
      for (const key of orphans) if (!(await this.deps.store.stat(key))) report.orphansDeleted++;
    }
    const after = await this.measure();
    if (this.historyToReclaim(report, after)) {
      progress({ phase: 'reclaiming history', done: 0, total: 1, unit: 'items' });
      await this.deps.betweenCommits(() => this.deps.store.reclaimHistory!());
      report.historyReclaimed = true;
      Object.assign(after, await this.measure());
    }
    report.storeBytesAfter = after.listedBytes;
    report.usageAfter = after.usage;
    progress({ phase: 'done', done: 1, total: 1, unit: 'items' });
    logger.info({ gc: report }, 'garbage collected');
    return report;
  }

  /** A dry run: what a run would do now. */
  private async plan(
    criteria: DeadChunkCriteria,
    policy: RepackPolicy,
    before: Measure,
    report: GcReport,
  ): Promise<GcReport> {
    const { catalog, repacker } = this.deps;
    const dead = await catalog.deadChunks(criteria);
    report.chunksDropped = dead.chunks;
    report.bytesDropped = dead.bytes;
    const unlimited = { ...policy, maxBytesPerRun: Infinity, maxPacksPerRun: Infinity };
    // Packs with nothing live are only deleted (the count of dead chunks has them already).
    const rewrite = (await repacker.plan(unlimited)).filter((p) => p.liveBytes > 0);
    report.packsRepacked = rewrite.length;
    report.bytesMoved = rewrite.reduce((sum, p) => sum + p.liveBytes, 0);
    report.packsWritten = Math.ceil(report.bytesMoved / this.deps.packSize);
    const retired = (await catalog.packs()).filter((p) => p.retiredAt !== null).length;
    report.packsDeleted = retired + dead.packs + rewrite.length;
    report.orphansDeleted = (await this.orphans()).length;
    report.historyReclaimed = this.historyToReclaim(report, before);
    return report;
  }

  /** Rounds of the repacker (each within its limits) until one rewrites nothing more. */
  private async repack(
    policy: RepackPolicy,
    report: GcReport,
    signal: AbortSignal,
    listener: ProgressListener | undefined,
  ): Promise<void> {
    const progress = reporter(listener);
    const { repacker } = this.deps;
    const planned = await repacker.plan({ ...policy, maxBytesPerRun: Infinity, maxPacksPerRun: Infinity });
    const total = planned.reduce((sum, p) => sum + p.liveBytes, 0);
    progress({ phase: 'repacking', done: 0, total, unit: 'bytes' });
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const run = await repacker.run(policy, signal, { deleteRetired: false });
      report.packsRepacked += run.packsRead;
      report.packsWritten += run.packsWritten;
      report.bytesMoved += run.bytesMoved;
      progress({ phase: 'repacking', done: Math.min(report.bytesMoved, total), total, unit: 'bytes' });
      if (run.packsRetired === 0) return;
    }
  }

  /** Waits out the grace period of the newest retired pack, then deletes every retired pack. */
  private async deleteRetired(
    policy: RepackPolicy,
    report: GcReport,
    signal: AbortSignal,
    listener: ProgressListener | undefined,
  ): Promise<void> {
    const progress = reporter(listener);
    const retired = (await this.deps.catalog.packs()).filter((p) => p.retiredAt !== null);
    if (retired.length === 0) return;
    const newest = Math.max(...retired.map((p) => p.retiredAt!));
    const wait = newest + policy.graceMs - Date.now();
    if (wait > 0) {
      // Reads that looked chunks up before they moved may still be reading the old packs.
      progress({ phase: 'waiting for reads of moved chunks', done: 0, total: null, unit: 'items' });
      await sleep(wait, undefined, { signal });
    }
    progress({ phase: 'deleting packs', done: 0, total: retired.length, unit: 'items' });
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const run = await this.deps.repacker.run(policy, signal, { relocate: false });
      report.packsDeleted += run.packsDeleted;
      progress({ phase: 'deleting packs', done: report.packsDeleted, total: retired.length, unit: 'items' });
      if (run.packsDeleted === 0) return;
    }
  }

  /** Objects under packs/ that no pack record has (in any state). */
  private async orphans(): Promise<string[]> {
    const listed: string[] = [];
    for await (const object of this.deps.store.list('packs/')) listed.push(object.key);
    if (listed.length === 0) return [];
    const known = new Set((await this.deps.catalog.packs()).map((p) => p.key));
    return listed.filter((key) => !known.has(key));
  }

  private async measure(): Promise<Measure> {
    let listedBytes = 0;
    for await (const object of this.deps.store.list('')) listedBytes += object.size;
    const usage = this.deps.store.usage
      ? await this.deps.store
          .usage()
          .then((u) => u.usedBytes)
          .catch(() => null)
      : null;
    return { listedBytes, usage };
  }

  /** The store keeps history, and it holds deleted objects (from this run, or left by repacks). */
  private historyToReclaim(report: GcReport, now: Measure): boolean {
    if (!this.deps.store.reclaimHistory) return false;
    if (report.packsDeleted + report.orphansDeleted > 0) return true;
    return now.usage !== null && now.usage > now.listedBytes + HISTORY_SLACK;
  }
}
