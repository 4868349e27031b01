import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStore, ByteRange } from '../blobstore/blob-store.js';
import type { ChunkerParams } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import { sha256ChunkHasher, type ChunkHasher } from './chunk-id.js';
import { FastCdc } from './fastcdc.js';
import { FileHasher } from './file-hasher.js';
import { Flusher, type FlushStatus } from './flusher.js';
import { ingest, type IngestOptions, type IngestResult } from './ingest.js';
import { Manifest } from './manifest.js';
import { Packer } from './packer.js';
import type { ChunkIndex, PackCatalog } from './ports.js';
import { ContentReader } from './reader.js';
import { ensureStoreFormat, type StoreFormat } from './store-format.js';

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
    private readonly fileHasher: FileHasher,
    private readonly hasher: ChunkHasher,
  ) {}

  static async open(options: ContentEngineOptions): Promise<ContentEngine> {
    const { store, chunkIndex, catalog, logger } = options;
    const format = await ensureStoreFormat(store, options.chunker);
    const { min, avg, max } = format.chunker;
    if (min !== options.chunker.min || avg !== options.chunker.avg || max !== options.chunker.max) {
      logger.warn({ store: { min, avg, max } }, 'the store records other chunk sizes; using the store\'s');
    }
    await fs.mkdir(options.stagingDir, { recursive: true });
    const fileHasher = new FileHasher();
    const hasher = sha256ChunkHasher;
    // The packer hands sealed packs to the flusher, which needs the packer: tie the knot here.
    let flusher: Flusher | undefined;
    const packer = new Packer({
      stagingDir: options.stagingDir,
      packSize: options.packSize,
      stagingLimit: options.stagingLimit,
      catalog,
      chunkIndex,
      hasher: fileHasher,
      logger,
      onSealed: (pack) => flusher!.enqueue(pack),
    });
    flusher = new Flusher({ store, catalog, packer, flushIntervalMs: options.flushIntervalMs, logger });
    await packer.recover();
    flusher.start();
    const reader = new ContentReader({
      store,
      chunkIndex,
      catalog,
      hasher,
      stagingPath: (id) => packer.packPath(id),
    });
    return new ContentEngine(
      { ...options, chunker: { min, avg, max } },
      format,
      packer,
      flusher,
      reader,
      fileHasher,
      hasher,
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
      },
      options,
    );
  }

  /** After the metadata commit: in durable mode, waits until the content is committed to the store. */
  async settle(result: IngestResult): Promise<void> {
    if (this.options.writeMode === 'durable') await this.flusher.waitCommitted(result.packIds);
  }

  read(manifest: Manifest, range?: ByteRange): Readable {
    return this.reader.read(manifest, range);
  }

  decodeManifest(encoded: Buffer): Manifest {
    return Manifest.decode(encoded);
  }

  flush(): Promise<void> {
    return this.flusher.flush();
  }

  status(): FlushStatus & { store: string; writeMode: string } {
    return { ...this.flusher.status(), store: this.options.store.kind, writeMode: this.options.writeMode };
  }

  /** Flushes everything to the store, then stops. */
  async close(options: { flush?: boolean } = {}): Promise<void> {
    if (options.flush !== false) await this.flush();
    await this.flusher.close();
    await this.packer.close();
    await this.fileHasher.close();
  }

  static stagingDirFor(dataDir: string): string {
    return path.join(dataDir, 'staging');
  }
}
