import { promises as fs } from 'node:fs';
import path from 'node:path';
import { packKey } from '../blobstore/keys.js';
import type { Logger } from '../observability/logger.js';
import { AsyncMutex } from './async-mutex.js';
import { chunkIdHex, type ChunkId } from './chunk-id.js';
import type { FileDigest } from './hash-workers.js';
import { OpenPack, sealRecoveredPack } from './open-pack.js';
import { Codec } from './pack-format.js';
import type { ChunkIndex, ChunkLocation, PackCatalog } from './ports.js';

/** A pack sealed in staging, waiting to be put into the store and committed. */
export interface SealedPack {
  id: number;
  key: string;
  sha256: string;
  size: number;
  path: string;
  createdAt: number;
  /** Already put into the store by an earlier run; only the commit is missing. */
  stored: boolean;
}

export interface PackerOptions {
  stagingDir: string;
  packSize: number;
  stagingLimit: number;
  catalog: PackCatalog;
  chunkIndex: ChunkIndex;
  /** Hashes a sealed pack's file (its store key). */
  hashFile(path: string): Promise<FileDigest>;
  logger: Logger;
  /** Receives every pack once it is sealed. */
  onSealed(pack: SealedPack): void;
}

/**
 * The one packer that every writer shares: it appends chunks to the open pack in the staging folder,
 * seals it when full or when a flush is due, and keeps the staging folder under its limit by making
 * writers wait until the flusher has committed older packs.
 */
export class Packer {
  private open: OpenPack | null = null;
  private readonly mutex = new AsyncMutex();
  /** Chunks appended to staging packs that committed metadata may not know yet, by hex id. */
  private readonly pending = new Map<string, ChunkLocation>();
  private readonly sealing = new Map<number, Promise<void>>();
  private stagingUsed = 0;
  private capacityWaiters: (() => void)[] = [];

  constructor(private readonly options: PackerOptions) {}

  packPath(id: number): string {
    return path.join(this.options.stagingDir, `${id}.pack`);
  }

  findPending(id: ChunkId): ChunkLocation | undefined {
    return this.pending.get(chunkIdHex(id));
  }

  /** Appends a chunk's stored bytes; resolves once its place is reserved, with the write still running. */
  append(
    id: ChunkId,
    stored: Buffer,
    plainLength: number,
  ): Promise<{ location: ChunkLocation; written: Promise<void> }> {
    return this.mutex.run(async () => {
      if (this.open && (this.open.broken || this.open.sizeWith(stored.length) > this.options.packSize)) {
        this.startSeal(this.open);
      }
      await this.waitForCapacity(stored.length);
      this.open ??= await this.createPack();
      const { offset, written } = this.open.append(id, stored, plainLength);
      this.stagingUsed += stored.length;
      const location: ChunkLocation = {
        packId: this.open.id,
        offset,
        storedLength: stored.length,
        plainLength,
      };
      this.pending.set(chunkIdHex(id), location);
      return { location, written };
    });
  }

  private async createPack(): Promise<OpenPack> {
    const createdAt = Date.now();
    const id = await this.options.catalog.create(createdAt);
    const pack = await OpenPack.create(id, this.packPath(id), 0, 0);
    this.stagingUsed += pack.size;
    return pack;
  }

  private async waitForCapacity(bytes: number): Promise<void> {
    while (this.stagingUsed + bytes > this.options.stagingLimit && this.stagingUsed > 0) {
      // Everything in staging must be flushable, or this would wait forever.
      if (this.open && this.open.entries.length > 0) this.startSeal(this.open);
      await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
    }
  }

  /** Returns staging room once a pack's staging file is gone. */
  release(bytes: number): void {
    this.stagingUsed = Math.max(0, this.stagingUsed - bytes);
    const waiters = this.capacityWaiters;
    this.capacityWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Makes the given packs' appended bytes durable in staging. */
  async sync(packIds: Iterable<number>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const id of new Set(packIds)) {
      if (this.open?.id === id) waits.push(this.open.sync());
      const sealing = this.sealing.get(id);
      if (sealing) waits.push(sealing);
    }
    await Promise.all(waits);
  }

  /** Seals the open pack if it holds anything; resolves when it has been handed to the flusher. */
  sealOpen(): Promise<void> {
    return this.mutex.run(() => {
      if (this.open && this.open.entries.length > 0) return this.startSeal(this.open);
      return this.sealing.size > 0 ? Promise.all(this.sealing.values()).then(() => undefined) : undefined;
    });
  }

  get openPack(): { bytes: number; createdAt: number } | null {
    return this.open && this.open.entries.length > 0
      ? { bytes: this.open.size, createdAt: this.open.createdAt }
      : null;
  }

  /** Detaches the open pack and seals it in the background; the returned promise settles when done. */
  private startSeal(pack: OpenPack): Promise<void> {
    if (this.open === pack) this.open = null;
    for (const entry of pack.entries) this.pending.delete(chunkIdHex(entry.id));
    const done = this.seal(pack).finally(() => this.sealing.delete(pack.id));
    this.sealing.set(pack.id, done);
    done.catch((error: unknown) =>
      this.options.logger.error(
        { err: error, pack: pack.id },
        'sealing a pack failed; it is retried at start-up',
      ),
    );
    return done;
  }

  private async seal(pack: OpenPack): Promise<void> {
    const sizeBefore = pack.size;
    const size = await pack.seal();
    this.stagingUsed += size - sizeBefore;
    await this.finishSeal(pack.id, pack.path, pack.createdAt);
  }

  private async finishSeal(id: number, file: string, createdAt: number): Promise<void> {
    const digest = await this.options.hashFile(file);
    const key = packKey(digest.sha256);
    await this.options.catalog.markSealed(id, key, digest.size);
    this.options.onSealed({
      id,
      key,
      sha256: digest.sha256,
      size: digest.size,
      path: file,
      createdAt,
      stored: false,
    });
  }

  /** Finishes what a previous run left in staging: open packs are sealed, sealed ones re-queued. */
  async recover(): Promise<void> {
    const { catalog, chunkIndex, logger } = this.options;
    for (const record of await catalog.unfinished()) {
      const file = this.packPath(record.id);
      if (record.state === 'open') {
        const chunks = await chunkIndex.chunksInPack(record.id);
        if (chunks.length === 0) {
          await fs.rm(file, { force: true });
          await catalog.remove(record.id);
          continue;
        }
        const entries = chunks.map((c) => ({ ...c, codec: Codec.raw }));
        await sealRecoveredPack(file, entries, 0);
        this.stagingUsed += (await fs.stat(file)).size;
        await this.finishSeal(record.id, file, record.createdAt);
        logger.info({ pack: record.id, chunks: chunks.length }, 'sealed a pack left open by the last run');
      } else {
        const sha256 = record.key!.slice(record.key!.lastIndexOf('/') + 1, -'.pack'.length);
        this.stagingUsed += record.size;
        this.options.onSealed({
          id: record.id,
          key: record.key!,
          sha256,
          size: record.size,
          path: file,
          createdAt: record.createdAt,
          stored: record.state === 'stored',
        });
      }
    }
  }

  /**
   * Stops appending. An empty open pack is discarded; one with chunks is left in staging, fsync'd,
   * for the next start to seal (as after a crash). Shutdown flushes first, so normally none is left.
   */
  async close(): Promise<void> {
    await this.mutex.run(async () => {
      await Promise.allSettled(this.sealing.values());
      const open = this.open;
      this.open = null;
      if (!open) return;
      if (open.entries.length === 0) {
        await open.discard();
        await this.options.catalog.remove(open.id);
      } else {
        await open.release();
      }
    });
  }
}
