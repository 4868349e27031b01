import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStore, ByteRange, StoreUsage } from '../blobstore/blob-store.js';
import type { ChunkerParams } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { ChunkHasher } from './chunk-id.js';
import { FastCdc } from './fastcdc.js';
import { HashWorkers } from './hash-workers.js';
import { Flusher, type FlushStatus } from './flusher.js';
import { ingest, type IngestOptions, type IngestResult } from './ingest.js';
import { Manifest } from './manifest.js';
import { Packer } from './packer.js';
import type { ChunkIndex, PackCatalog } from './ports.js';
import { ContentReader, type Lease } from './reader.js';
import { SlotPool } from './slot-pool.js';
import { ensureStoreFormat, type StoreFormat } from './store-format.js';

/** Slots in the shared pool; with 8 MiB chunks, 96 MiB of memory for all transfers together. */
const SLOT_COUNT = 12;

export interface ContentEngineOptions {
  store: BlobStore;
  chunkIndex: ChunkIndex;
  catalog: PackCatalog;
  stagingDir: string;
  chunker: ChunkerParams;
  packSize: number;
  stagingLimit: number;
  flushIntervalMs: number;
  writeMode: 'buffered' | 'durable';
  logger: Logger;
}

/**
 * The content layer's front: bytes in (chunked, deduplicated, packed, flushed to the store) and
 * bytes out (ranged, verified). It knows nothing of users or paths.
 */
export class ContentEngine {
  private constructor(
    private readonly options: ContentEngineOptions,
    readonly format: StoreFormat,
    private readonly packer: Packer,
    private readonly flusher: Flusher,
    private readonly reader: ContentReader,
    private readonly workers: HashWorkers,
    private readonly hasher: ChunkHasher,
    private readonly slots: SlotPool,
  ) {}

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
      catalog,
      packer,
      flushIntervalMs: options.flushIntervalMs,
      logger,
      onStagingRemoved: (file) => reader.forgetStaging(file),
    });
    await packer.recover();
    await flusher.seedBudget();
    flusher.start();
    return new ContentEngine(
      { ...options, chunker: { min, avg, max } },
      format,
      packer,
      flusher,
      reader,
      workers,
      hasher,
      slots,
    );
  }

  /** Stores a stream; on return every new byte is fsync'd in staging, ready for a metadata commit. */
  ingest(source: Readable, options?: IngestOptions): Promise<IngestResult> {
    return ingest(
      source,
      {
        chunker: new FastCdc(this.options.chunker),
        hasher: this.hasher,
        chunkIndex: this.options.chunkIndex,
        packer: this.packer,
        slots: this.slots,
      },
      options,
    );
  }

  /**
   * After the metadata commit: in durable mode, waits until the content is committed to the store.
   * It waits on the packs the index now names for each chunk (another upload may have recorded a
   * chunk in another pack first), not on where this ingest happened to write.
   */
  async settle(result: IngestResult): Promise<void> {
    if (this.options.writeMode !== 'durable') return;
    const manifest = Manifest.decode(result.manifest);
    const ids = new Map<string, Buffer>();
    for (let i = 0; i < manifest.count; i++) ids.set(manifest.id(i).toString('hex'), manifest.id(i));
    const locations = await this.options.chunkIndex.findMany([...ids.values()]);
    await this.flusher.waitCommitted(new Set([...locations.values()].map((l) => l.packId)));
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

  flush(options?: { urgent?: boolean }): Promise<void> {
    return this.flusher.flush(options);
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
