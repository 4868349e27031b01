import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStore, ByteRange, StoreUsage } from '../blobstore/blob-store.js';
import type { ChunkerParams } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import { chunkIdHex, type ChunkHasher } from './chunk-id.js';
import { FastCdc } from './fastcdc.js';
import { HashWorkers } from './hash-workers.js';
import { ConsistencyCheck, type FsckOptions, type FsckReport } from './consistency-check.js';
import { Flusher, type FlushStatus } from './flusher.js';
import { GarbageCollector, type GcOptions, type GcReport } from './garbage-collector.js';
import {
  ingest,
  type IngestCheckpoints,
  type IngestDeps,
  type IngestOptions,
  type IngestResult,
} from './ingest.js';
import { IngestPins, type IngestHold } from './ingest-pins.js';
import { Manifest } from './manifest.js';
import { Packer } from './packer.js';
import type {
  ChunkIndex,
  CommitRider,
  GcCatalog,
  ManifestRoots,
  PackCatalog,
  RepackCatalog,
} from './ports.js';
import { ContentReader, type Lease } from './reader.js';
import { Repacker, type RepackPolicy, type RepackReport } from './repacker.js';
import { SlotPool } from './slot-pool.js';
import { ensureStoreFormat, type StoreFormat } from './store-format.js';

/** Slots in the shared pool; with 8 MiB chunks, 96 MiB of memory for all transfers together. */
const SLOT_COUNT = 12;
/** How long a write's pins outlive it when its metadata commit never comes (the write failed). */
const UNSETTLED_HOLD_MS = 60_000;

export const DEFAULT_REPACK_POLICY: RepackPolicy = {
  threshold: 8,
  graceMs: 60_000,
  maxBytesPerRun: 1024 ** 3,
  maxPacksPerRun: 100,
};

export interface ContentEngineOptions {
  store: BlobStore;
  chunkIndex: ChunkIndex;
  catalog: PackCatalog;
  repackCatalog: RepackCatalog;
  /** The queries of gc and fsck. */
  gcCatalog: GcCatalog;
  /** Overrides of DEFAULT_REPACK_POLICY (tests shorten the grace period). */
  repack?: Partial<RepackPolicy>;
  stagingDir: string;
  chunker: ChunkerParams;
  packSize: number;
  stagingLimit: number;
  flushIntervalMs: number;
  writeMode: 'buffered' | 'durable';
  logger: Logger;
  /** What rides each commit beside the packs (the metadata journal and snapshots). */
  rider?: CommitRider;
}

/**
 * The content layer's front: bytes in (chunked, deduplicated, packed, flushed to the store) and
 * bytes out (ranged, verified). It knows nothing of users or paths.
 */
export class ContentEngine {
  /** Pins of writes whose metadata is not committed yet, by the result their ingest returned. */
  private readonly holds = new WeakMap<IngestResult, IngestHold>();
  private readonly repackPolicy: RepackPolicy;
  /** The repack under way, if any: one at a time. */
  private repacking: Promise<unknown> | null = null;
  private readonly stopRepack = new AbortController();

  private constructor(
    private readonly options: ContentEngineOptions,
    readonly format: StoreFormat,
    private readonly packer: Packer,
    private readonly flusher: Flusher,
    private readonly reader: ContentReader,
    private readonly workers: HashWorkers,
    private readonly hasher: ChunkHasher,
    private readonly slots: SlotPool,
    private readonly pins: IngestPins,
    private readonly repacker: Repacker,
  ) {
    this.repackPolicy = { ...DEFAULT_REPACK_POLICY, ...options.repack };
  }

  static async open(options: ContentEngineOptions): Promise<ContentEngine> {
    const { store, chunkIndex, catalog, logger } = options;
    const format = await ensureStoreFormat(store, options.chunker);
    const { min, avg, max } = format.chunker;
    if (min !== options.chunker.min || avg !== options.chunker.avg || max !== options.chunker.max) {
      logger.warn({ store: { min, avg, max } }, "the store records other chunk sizes; using the store's");
    }
    await fs.mkdir(options.stagingDir, { recursive: true });
    // Slots hold chunks in flight (max chunk size each); hashing workers share their memory.
    const slots = new SlotPool(max, SLOT_COUNT);
    // One core stays with the main thread (HTTP, chunking); hashing gets the rest, at least one.
    const workers = new HashWorkers(slots.memory, Math.max(1, os.availableParallelism() - 1));
    const hasher: ChunkHasher = { id: (slot, start, length) => workers.digest(slot, start, length) };
    // The packer hands sealed packs to the flusher, which needs the packer; nothing is sealed
    // before the flusher exists (recovery runs after both are made).
    const packer = new Packer({
      stagingDir: options.stagingDir,
      packSize: options.packSize,
      stagingLimit: options.stagingLimit,
      catalog,
      chunkIndex,
      store,
      hashFile: (file) => workers.file(file),
      logger,
      onSealed: (pack) => flusher.enqueue(pack),
      onRemoved: (id) => flusher.packGone(id),
    });
    const reader = new ContentReader({
      store,
      chunkIndex,
      catalog,
      hasher,
      slots,
      stagingPath: (id) => packer.packPath(id),
    });
    const flusher = new Flusher({
      store,
      // Once a commit is recorded, look for repack work (the engine exists by then).
      catalog: afterCommits(catalog, () => engine.repackIfDue()),
      packer,
      flushIntervalMs: options.flushIntervalMs,
      logger,
      onStagingRemoved: (file) => reader.forgetStaging(file),
      // A retired pack's key may be a live pack's too (the same bytes): that object stays.
      keysInUse: (keys) => options.repackCatalog.keysInUse(keys),
      rider: options.rider,
    });
    const pins = new IngestPins();
    const repacker = new Repacker({
      store,
      catalog,
      repackCatalog: options.repackCatalog,
      packer,
      reader,
      waitCommitted: (ids) => flusher.waitCommitted(ids),
      deleteObjects: (keys) => flusher.deleteObjects(keys),
      pins,
      packSize: options.packSize,
      logger: logger.child({ component: 'repack' }),
    });
    const engine: ContentEngine = new ContentEngine(
      { ...options, chunker: { min, avg, max } },
      format,
      packer,
      flusher,
      reader,
      workers,
      hasher,
      slots,
      pins,
      repacker,
    );
    await packer.recover();
    await flusher.seedBudget();
    flusher.start();
    return engine;
  }

  /** Stores a stream; on return every new byte is fsync'd in staging, ready for a metadata commit. */
  async ingest(source: Readable, options?: IngestOptions): Promise<IngestResult> {
    // Until its metadata commits (settle), the write's chunks and packs are safe from the repacker.
    const hold = this.pins.begin(this.packer.newestPackId);
    try {
      const result = await ingest(source, this.ingestDeps(hold), options);
      this.holds.set(result, hold);
      hold.releaseAfter(UNSETTLED_HOLD_MS);
      return result;
    } catch (error) {
      hold.release();
      throw error;
    }
  }

  /**
   * A resumable write: complete chunks go to `checkpoints.save` as they become durable (see
   * IngestCheckpoints), and `save` records them before this resolves, so the pins go with it.
   */
  async ingestResumable(source: Readable, checkpoints: IngestCheckpoints): Promise<void> {
    const hold = this.pins.begin(this.packer.newestPackId);
    try {
      await ingest(source, this.ingestDeps(hold), { checkpoints });
    } finally {
      // Every part handed over is recorded; a part that was not is referenced by nothing.
      hold.release();
    }
  }

  private ingestDeps(hold: IngestHold): IngestDeps {
    const index = this.options.chunkIndex;
    const chunkIndex: ChunkIndex = {
      async find(id) {
        // Pinned before the lookup runs, so a repack that forgets the chunk after it sees the pin.
        const hex = chunkIdHex(id);
        hold.pin(hex);
        const found = await index.find(id);
        if (!found) hold.unpin(hex);
        return found;
      },
      findMany: (ids) => index.findMany(ids),
      chunksInPack: (packId) => index.chunksInPack(packId),
    };
    return {
      chunker: new FastCdc(this.options.chunker),
      hasher: this.hasher,
      chunkIndex,
      packer: this.packer,
      slots: this.slots,
    };
  }

  /**
   * After the metadata commit: in durable mode, waits until the content, and the metadata naming it,
   * are committed to the store.
   */
  async settle(result: IngestResult): Promise<void> {
    this.holds.get(result)?.release();
    await this.settleContent(result.manifest);
  }

  /**
   * In durable mode, waits until the chunks of an encoded manifest, and the metadata naming them,
   * are committed to the store (at once in buffered mode).
   * It waits on the packs the index now names for each chunk (another upload may have recorded a
   * chunk in another pack first), not on where this ingest happened to write.
   */
  async settleContent(encodedManifest: Buffer): Promise<void> {
    if (this.options.writeMode !== 'durable') return;
    const manifest = Manifest.decode(encodedManifest);
    const ids = new Map<string, Buffer>();
    for (let i = 0; i < manifest.count; i++) ids.set(manifest.id(i).toString('hex'), manifest.id(i));
    const locations = await this.options.chunkIndex.findMany([...ids.values()]);
    await this.flusher.waitCommitted(new Set([...locations.values()].map((l) => l.packId)));
    // And the metadata that names the content: a wiped disk must not lose an answered write.
    await this.flusher.waitMetadata();
  }

  /** Verified bytes lent from slots; the fast path for sockets (release each once written). */
  leases(manifest: Manifest, range?: ByteRange): AsyncGenerator<Lease> {
    return this.reader.leases(manifest, range);
  }

  /** Verified bytes as a plain stream (copied out of the slots). */
  read(manifest: Manifest, range?: ByteRange): Readable {
    return this.reader.read(manifest, range);
  }

  decodeManifest(encoded: Buffer): Manifest {
    return Manifest.decode(encoded);
  }

  /** Commits everything pending. `urgent` is for shutdown: it also stops repacking for good. */
  async flush(options?: { urgent?: boolean }): Promise<void> {
    if (options?.urgent) {
      // Commits go at once from now on: a gc stopping may be waiting for its deletions' commit.
      this.flusher.stopPacing();
      await this.stopRepacking();
    }
    return this.flusher.flush(options);
  }

  /**
   * Repacks now (after any run under way): merges small packs, rewrites mostly dead ones, deletes
   * retired packs whose grace period is over. `policy` overrides the engine's for this run.
   */
  repack(policy: Partial<RepackPolicy> = {}): Promise<RepackReport> {
    return this.exclusive(() =>
      this.repacker.run({ ...this.repackPolicy, ...policy }, this.stopRepack.signal),
    );
  }

  /**
   * Garbage collection (after any repack under way, and holding the next back): drops chunks no
   * manifest in use refers to, rewrites mostly dead packs, deletes what is left behind, and on the
   * Hub rewrites history so that the space is returned. `roots` says which manifests are in use.
   */
  collectGarbage(roots: ManifestRoots, options: GcOptions = {}): Promise<GcReport> {
    const check = this.consistencyCheck();
    const collector = new GarbageCollector({
      store: this.options.store,
      catalog: this.options.gcCatalog,
      repacker: this.repacker,
      check,
      pins: this.pins,
      deleteObjects: (keys) => this.flusher.deleteObjects(keys),
      betweenCommits: (work) => this.flusher.betweenCommits(work),
      policy: this.repackPolicy,
      packSize: this.options.packSize,
      logger: this.options.logger.child({ component: 'gc' }),
    });
    return this.exclusive(() => collector.run(roots, options, this.stopRepack.signal));
  }

  /** Compares the metadata with itself and with the store (fsck); no repack runs meanwhile. */
  checkConsistency(roots: ManifestRoots, options: FsckOptions = {}): Promise<FsckReport> {
    const signal = this.stopRepack.signal;
    return this.exclusive(() => this.consistencyCheck().run(roots, { ...options, signal }));
  }

  private consistencyCheck(): ConsistencyCheck {
    return new ConsistencyCheck({
      store: this.options.store,
      catalog: this.options.gcCatalog,
      chunkIndex: this.options.chunkIndex,
      reader: this.reader,
      logger: this.options.logger.child({ component: 'fsck' }),
    });
  }

  /** Runs `work` once no repack (or gc, or fsck) is under way; none starts until it is done. */
  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    for (;;) {
      this.stopRepack.signal.throwIfAborted();
      if (!this.repacking) break;
      await this.repacking.catch(() => undefined);
    }
    const run = work();
    this.track(run);
    return run;
  }

  /** Resolves once no repack is under way (tests wait for the automatic one with this). */
  async repackSettled(): Promise<void> {
    while (this.repacking) await this.repacking.catch(() => undefined);
  }

  /**
   * After a commit: repacks when enough small or mostly dead packs wait, else deletes retired packs
   * whose grace is over. Never two runs at once, never at shutdown.
   */
  private repackIfDue(): void {
    if (this.repacking || this.stopRepack.signal.aborted) return;
    const policy = this.repackPolicy;
    const run = (async () => {
      const waiting = await this.options.repackCatalog.countCandidates(this.repacker.criteria());
      // Below the threshold, only retired packs are deleted (their deletion may ride this commit).
      return this.repacker.run(policy, this.stopRepack.signal, { relocate: waiting >= policy.threshold });
    })();
    this.track(run);
    run.catch((error: unknown) => {
      if (!this.stopRepack.signal.aborted) this.options.logger.error({ err: error }, 'repack failed');
    });
  }

  private track(run: Promise<unknown>): void {
    const tracked = run.finally(() => {
      if (this.repacking === tracked) this.repacking = null;
    });
    tracked.catch(() => undefined);
    this.repacking = tracked;
  }

  /** No new run starts; the one under way stops at its next wait (what it did so far is safe). */
  private async stopRepacking(): Promise<void> {
    this.stopRepack.abort(new Error('the content engine is closing'));
    await this.repackSettled();
  }

  /** Bytes the store holds, when it can tell (the Hub counts history too). */
  async storeUsage(): Promise<StoreUsage | null> {
    return this.options.store.usage ? this.options.store.usage() : null;
  }

  status(): FlushStatus & { store: string; writeMode: string; buffers: { total: number; free: number } } {
    return {
      ...this.flusher.status(),
      store: this.options.store.kind,
      writeMode: this.options.writeMode,
      buffers: { total: this.slots.count, free: this.slots.available },
    };
  }

  /** Flushes everything to the store (without waiting for the commit budget), then stops. */
  async close(options: { flush?: boolean } = {}): Promise<void> {
    await this.stopRepacking();
    if (options.flush !== false) await this.flush({ urgent: true });
    await this.flusher.close();
    await this.packer.close();
    await this.reader.close();
    await this.workers.close();
  }

  static stagingDirFor(dataDir: string): string {
    return path.join(dataDir, 'staging');
  }
}

/** The catalog, calling `then` after every commit it records. */
function afterCommits(catalog: PackCatalog, then: () => void): PackCatalog {
  return {
    create: (createdAt) => catalog.create(createdAt),
    get: (id) => catalog.get(id),
    markSealed: (id, key, size) => catalog.markSealed(id, key, size),
    markStored: (id) => catalog.markStored(id),
    async markCommitted(ids) {
      await catalog.markCommitted(ids);
      then();
    },
    remove: (id) => catalog.remove(id),
    forgetLost: (id) => catalog.forgetLost(id),
    unfinished: () => catalog.unfinished(),
  };
}
