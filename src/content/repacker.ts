import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobStore } from '../blobstore/blob-store.js';
import type { Logger } from '../observability/logger.js';
import type { IngestPins } from './ingest-pins.js';
import type { Packer } from './packer.js';
import type {
  ChunkMove,
  PackCatalog,
  RepackCandidate,
  RepackCatalog,
  RepackCriteria,
  RetiredPack,
  StoredChunk,
} from './ports.js';
import type { ContentReader } from './reader.js';

export interface RepackPolicy {
  /** Small or mostly dead packs that make the engine start a run by itself. */
  threshold: number;
  /** How long a pack stays in the store after its chunks moved, for reads that looked them up before. */
  graceMs: number;
  /** Live bytes one run moves at most (it takes at least one pack). */
  maxBytesPerRun: number;
  /** Packs one run repacks or deletes at most (deletions ride one store commit). */
  maxPacksPerRun: number;
  /** A pack whose live bytes are under this share of its size is rewritten; 0.5 unless said. */
  liveRatio?: number;
  /** Only packs with a lower id: a gc never rewrites what it wrote itself. */
  onlyBelowPackId?: number;
}

/** Below half live, a pack is mostly dead. */
const MOSTLY_DEAD = 0.5;

export interface RepackReport {
  /** Packs whose live chunks were read and copied. */
  packsRead: number;
  /** New packs the chunks were written to. */
  packsWritten: number;
  /** Stored bytes of the chunks moved. */
  bytesMoved: number;
  /** Packs no chunk points at any more, left in the store for the grace period. */
  packsRetired: number;
  /** Packs whose grace period was over, deleted from the store (by the flusher's commit) and forgotten. */
  packsDeleted: number;
}

export interface RepackerDeps {
  store: BlobStore;
  catalog: PackCatalog;
  repackCatalog: RepackCatalog;
  packer: Packer;
  reader: ContentReader;
  /** Resolves once the packs are committed to the store (the flusher's). */
  waitCommitted(packIds: Iterable<number>): Promise<void>;
  /** Deletes objects with a coming store commit, paced and counted like packs (the flusher's). */
  deleteObjects(keys: readonly string[]): Promise<void>;
  pins: IngestPins;
  packSize: number;
  logger: Logger;
}

/** Dead bytes a ranged read may step over rather than start another read. */
const MAX_READ_GAP = 256 * 1024;

/**
 * Merges packs that a flush sealed small, and rewrites mostly dead ones. Live chunks are read
 * (verified) and appended through the packer into new packs; their index rows move there only once
 * those packs are committed. The old packs are then retired, and deleted from the store after a
 * grace period, by the flusher's next commit (paced and budgeted like packs).
 */
export class Repacker {
  constructor(private readonly deps: RepackerDeps) {}

  /** Packs counted towards a run, as the engine's trigger counts them. */
  criteria(liveRatio = MOSTLY_DEAD, onlyBelowPackId?: number): RepackCriteria {
    const inUse = this.deps.pins.firstPackInUse();
    const limits = [inUse, onlyBelowPackId].filter((id): id is number => id !== null && id !== undefined);
    return {
      smallBelow: Math.floor(this.deps.packSize / 4),
      belowPackId: limits.length > 0 ? Math.min(...limits) : null,
      liveRatio,
    };
  }

  /**
   * Repacks the candidates (unless `relocate` is false), then (unless `deleteRetired` is false)
   * deletes the retired packs whose grace period is over.
   */
  async run(
    policy: RepackPolicy,
    signal: AbortSignal,
    options: { relocate?: boolean; deleteRetired?: boolean } = {},
  ): Promise<RepackReport> {
    const report: RepackReport = {
      packsRead: 0,
      packsWritten: 0,
      bytesMoved: 0,
      packsRetired: 0,
      packsDeleted: 0,
    };
    const packs = options.relocate === false ? [] : await this.plan(policy);
    if (packs.length > 0) await this.relocate(packs, report, signal);
    if (options.deleteRetired === false) return report;
    if (report.packsRetired > 0 && policy.graceMs > 0) await sleep(policy.graceMs, undefined, { signal });
    signal.throwIfAborted();
    await this.deleteExpired(policy, report, signal);
    if (report.packsRetired + report.packsDeleted > 0) this.deps.logger.info({ repack: report }, 'repacked');
    return report;
  }

  /**
   * The packs of this run: mostly dead ones, and small ones when there are at least two to merge
   * (one alone would only be copied as it is), within the run's limits, oldest first.
   */
  async plan(policy: RepackPolicy): Promise<RepackCandidate[]> {
    const ratio = policy.liveRatio ?? MOSTLY_DEAD;
    const all = await this.deps.repackCatalog.candidates(this.criteria(ratio, policy.onlyBelowPackId));
    const dead = (p: RepackCandidate) => p.liveBytes < p.size * ratio;
    const merging = all.filter((p) => !dead(p)).length >= 2;
    const chosen: RepackCandidate[] = [];
    let bytes = 0;
    for (const pack of all) {
      if (!dead(pack) && !merging) continue;
      if (chosen.length >= policy.maxPacksPerRun) break;
      if (chosen.length > 0 && bytes + pack.liveBytes > policy.maxBytesPerRun) continue;
      chosen.push(pack);
      bytes += pack.liveBytes;
    }
    // Merging needs two small packs still; a lone one waits for company.
    if (chosen.filter((p) => !dead(p)).length === 1) return chosen.filter(dead);
    return chosen;
  }

  /** Copies the packs' live chunks into new packs and, once those are committed, moves the index. */
  private async relocate(packs: RepackCandidate[], report: RepackReport, signal: AbortSignal): Promise<void> {
    const { repackCatalog, pins, logger } = this.deps;
    const pinned = pins.pinnedChunks();
    const moves: (ChunkMove & { length: number })[] = [];
    const targets = new Set<number>();
    for (const pack of packs) {
      signal.throwIfAborted();
      const keep = await repackCatalog.chunksToKeep(pack.id, pinned);
      if (keep.length === 0) continue;
      try {
        await this.copy(keep, moves, targets, signal);
        report.packsRead++;
      } catch (error) {
        if (signal.aborted) throw error;
        // This pack stays as it is (its chunks that were copied are moved all the same).
        logger.error({ err: error, pack: pack.id }, 'repack could not read a pack; leaving it');
      }
    }
    let valid = new Set<number>();
    if (targets.size > 0) {
      await abortable(this.deps.waitCommitted(targets), signal);
      valid = await this.committedIntact(targets);
    }
    const kept = moves.filter((m) => valid.has(m.toPack));
    const retired = await repackCatalog.relocate({
      packs: packs.map((p) => p.id),
      moves: kept,
      targets: [...valid],
      pinned: () => pins.pinnedChunks(),
      now: Date.now(),
    });
    report.packsWritten = valid.size;
    report.bytesMoved = kept.reduce((sum, m) => sum + m.length, 0);
    report.packsRetired = retired.length;
  }

  /** Reads chunks (verified) and appends them to the packer, bypassing deduplication. */
  private async copy(
    chunks: StoredChunk[],
    moves: (ChunkMove & { length: number })[],
    targets: Set<number>,
    signal: AbortSignal,
  ): Promise<void> {
    const { reader, packer } = this.deps;
    for await (const span of reader.stored(chunks, { maxGap: MAX_READ_GAP })) {
      const writes: Promise<void>[] = [];
      if (signal.aborted) span.release();
      signal.throwIfAborted();
      try {
        for (const { chunk, data } of span.chunks) {
          const { location, written } = await packer.append(chunk.id, data, chunk.plainLength);
          writes.push(written);
          targets.add(location.packId);
          moves.push({
            id: chunk.id,
            fromPack: chunk.packId,
            fromOffset: chunk.offset,
            toPack: location.packId,
            toOffset: location.offset,
            length: chunk.storedLength,
          });
        }
      } finally {
        // The writes read from the slot: it goes back only once they are done. A failed write
        // breaks its pack, which the check after the commit then leaves out.
        await Promise.allSettled(writes);
        span.release();
      }
    }
  }

  /** Of the packs written to, those committed whole (a failed write seals a pack without our chunks). */
  private async committedIntact(targets: Set<number>): Promise<Set<number>> {
    const valid = new Set<number>();
    for (const id of targets) {
      const record = await this.deps.catalog.get(id);
      if (record?.state === 'committed' && !this.deps.packer.isBroken(id)) valid.add(id);
      else this.deps.logger.warn({ pack: id }, 'a pack written by repack did not reach the store whole');
    }
    return valid;
  }

  /**
   * Deletes retired packs whose grace period is over: the flusher's next commit carries the
   * deletions (paced and within the budget where commits are scarce), and a pack is forgotten once
   * the store no longer has it. A crash anywhere leaves them retired: a later run finishes.
   */
  private async deleteExpired(
    policy: RepackPolicy,
    report: RepackReport,
    signal: AbortSignal,
  ): Promise<void> {
    const { repackCatalog } = this.deps;
    const expired = await repackCatalog.expired(Date.now() - policy.graceMs, policy.maxPacksPerRun);
    if (expired.length === 0) return;
    let present = await this.present(expired);
    if (present.length > 0) {
      // Shutdown does not wait for a paced commit: the deletions stay queued (an urgent flush takes
      // them), the packs stay retired, and the next run forgets the ones the store no longer has.
      await abortable(this.deps.deleteObjects([...new Set(present.map((p) => p.key))]), signal);
      present = await this.present(present);
    }
    const gone = expired.filter((p) => !present.includes(p)).map((p) => p.id);
    await repackCatalog.forget(gone);
    report.packsDeleted = gone.length;
  }

  private async present(packs: RetiredPack[]): Promise<RetiredPack[]> {
    const found: RetiredPack[] = [];
    for (const pack of packs) if (await this.deps.store.stat(pack.key)) found.push(pack);
    return found;
  }
}

/** `promise`, or a rejection as soon as `signal` aborts (the work itself goes on). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error as Error);
      },
    );
  });
}
