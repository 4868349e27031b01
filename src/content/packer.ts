import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { BlobStore } from '../blobstore/blob-store.js';
import { isNotFound } from '../blobstore/fsync.js';
import { packKey } from '../blobstore/keys.js';
import { StoreUnavailableError } from '../errors/domain-error.js';
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
  /** Put into the store by this run; only the commit is missing. */
  stored: boolean;
}

export interface PackerOptions {
  stagingDir: string;
  packSize: number;
  stagingLimit: number;
  catalog: PackCatalog;
  chunkIndex: ChunkIndex;
  /** Asked at start-up whether a pack whose staging file is gone reached the store after all. */
  store: Pick<BlobStore, 'stat'>;
  /** Hashes a sealed pack's file (its store key). */
  hashFile(path: string): Promise<FileDigest>;
  logger: Logger;
  /** Receives every pack once it is sealed. */
  onSealed(pack: SealedPack): void;
  /** Told of a pack removed without being sealed (it held no chunk anyone refers to). */
  onRemoved?(id: number): void;
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
  /** Packs being sealed, and the promise of each seal. */
  private readonly sealing = new Map<number, { pack: OpenPack; done: Promise<void> }>();
  /**
   * Packs that a write (or their seal) failed in. Nothing appended to them after the last committed
   * version can be trusted, so a sync that covers one of them fails, for the life of the process.
   */
  private readonly broken = new Set<number>();
  /** Packs whose seal failed and are left for the next start-up; reported in the status. */
  private readonly stuck = new Set<number>();
  private stagingUsed = 0;
  private capacityWaiters: (() => void)[] = [];
  /** The newest pack this packer created (0 before the first). */
  private newestId = 0;

  constructor(private readonly options: PackerOptions) {}

  packPath(id: number): string {
    return path.join(this.options.stagingDir, `${id}.pack`);
  }

  /** The newest pack created so far, open or not (0 before the first): a write starting now appends to it or a later one. */
  get newestPackId(): number {
    return this.newestId;
  }

  /** Whether a write failed in the pack: it was then sealed from the index, without unindexed chunks. */
  isBroken(packId: number): boolean {
    return this.broken.has(packId);
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
      const pack = this.open;
      const { offset, written } = pack.append(id, stored, plainLength);
      written.catch(() => this.markBroken(pack.id));
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
    this.newestId = Math.max(this.newestId, id);
    let pack: OpenPack;
    try {
      pack = await OpenPack.create(id, this.packPath(id), 0, 0);
    } catch (error) {
      // A record with no file would never commit, and would hold back the metadata journal.
      await this.options.catalog.remove(id).catch(() => undefined);
      this.options.onRemoved?.(id);
      throw error;
    }
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

  private markBroken(packId: number): void {
    this.broken.add(packId);
    // Its unindexed chunks must not be deduplicated against any more.
    for (const [hex, location] of this.pending) if (location.packId === packId) this.pending.delete(hex);
  }

  /**
   * Makes the given packs' appended bytes durable in staging. Fails when one of them broke, since
   * the caller's bytes in it may be lost: its ingest must fail rather than be acknowledged.
   *
   * Also waits for the seals under way of older packs: a pack's key must be recorded before any
   * chunk of a later pack is (the metadata journal ships a chunk once its pack and every older one
   * is committed, and a restore needs each such pack's key).
   */
  async sync(packIds: Iterable<number>): Promise<void> {
    const ids = new Set(packIds);
    const waits: Promise<void>[] = [];
    for (const id of ids) {
      if (this.broken.has(id)) throw new StoreUnavailableError('writing to the staging disk failed');
      if (this.open?.id === id) waits.push(this.open.sync());
      const sealing = this.sealing.get(id);
      if (sealing) waits.push(sealing.done);
    }
    const newest = Math.max(0, ...ids);
    // An older pack's failed seal is not this write's failure: only its order matters here.
    const older = [...this.sealing].filter(([id]) => id < newest && !ids.has(id)).map(([, s]) => s.done);
    await Promise.all([...waits, Promise.allSettled(older)]);
    for (const id of packIds) {
      if (this.broken.has(id)) throw new StoreUnavailableError('writing to the staging disk failed');
    }
  }

  /**
   * Seals the open pack if it holds anything, and waits for every seal under way; resolves when all
   * of them have been handed to the flusher (or have failed and been set aside).
   */
  sealOpen(): Promise<void> {
    return this.mutex.run(async () => {
      if (this.open && this.open.entries.length > 0) this.startSeal(this.open);
      await Promise.allSettled([...this.sealing.values()].map((s) => s.done));
    });
  }

  /** The open pack and packs being sealed: written, acknowledged, not yet with the flusher. */
  get unsealed(): { bytes: number; packs: number; oldest: number | null } {
    const packs = [...this.sealing.values()].map((s) => s.pack);
    if (this.open && this.open.entries.length > 0) packs.push(this.open);
    return {
      bytes: packs.reduce((sum, p) => sum + p.size, 0),
      packs: packs.length + this.stuck.size,
      oldest: packs.length > 0 ? Math.min(...packs.map((p) => p.createdAt)) : null,
    };
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
    const done = this.seal(pack)
      .catch(async (error: unknown) => {
        // The trailer could not be written (a full disk…): fall back to what the index knows.
        this.options.logger.error({ err: error, pack: pack.id }, 'sealing a pack failed');
        this.markBroken(pack.id);
        await this.sealFromIndex(pack);
      })
      .catch((error: unknown) => {
        this.stuck.add(pack.id);
        this.options.logger.error(
          { err: error, pack: pack.id },
          'a pack is left in staging for the next start',
        );
        throw error;
      })
      .finally(() => {
        this.sealing.delete(pack.id);
      });
    this.sealing.set(pack.id, { pack, done });
    done.catch(() => undefined);
    return done;
  }

  private async seal(pack: OpenPack): Promise<void> {
    if (pack.broken) {
      await this.sealFromIndex(pack);
      return;
    }
    const sizeBefore = pack.size;
    const size = await pack.seal();
    this.stagingUsed += size - sizeBefore;
    await this.finishSeal(pack.id, pack.path, pack.createdAt);
  }

  /**
   * Seals a pack from the chunks that committed metadata places in it, cutting off the rest: for a
   * pack a write failed in, and for one a crash left open. A pack holding none is removed.
   */
  private async sealFromIndex(pack: {
    id: number;
    path: string;
    createdAt: number;
    size: number;
  }): Promise<void> {
    const { catalog, chunkIndex, logger } = this.options;
    if (pack instanceof OpenPack) await pack.abandon();
    const chunks = await chunkIndex.chunksInPack(pack.id);
    if (chunks.length === 0) {
      await fs.rm(pack.path, { force: true });
      await catalog.remove(pack.id);
      this.release(pack.size);
      this.options.onRemoved?.(pack.id);
      return;
    }
    const entries = chunks.map((c) => ({ ...c, codec: Codec.raw }));
    const { size, lost } = await sealRecoveredPack(pack.path, entries, 0);
    if (lost.length > 0) {
      logger.error(
        { pack: pack.id, lost: lost.length },
        'staging lost chunks that files refer to; reading those files will fail verification',
      );
    }
    this.stagingUsed += size - pack.size;
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

  /**
   * Finishes what a previous run left in staging: open packs are sealed from the index; sealed and
   * stored ones are put again (a put is idempotent, and a store such as the local one keeps an
   * uncommitted put only until it restarts) and committed.
   */
  async recover(): Promise<void> {
    const { catalog, store, logger } = this.options;
    for (const record of await catalog.unfinished()) {
      const file = this.packPath(record.id);
      const size = await fileSize(file);
      if (size === null) {
        // Staging lost the file. If the store has the pack, only the record of its commit was lost.
        if (record.key && (await store.stat(record.key))) {
          await catalog.markCommitted([record.id]);
          logger.info({ pack: record.id }, 'a pack the store already holds is now recorded as committed');
        } else if (await catalog.forgetLost(record.id)) {
          // Nothing pointed at it (a pack whose file was never made): only its record was left.
          logger.warn({ pack: record.id }, 'forgot a pack record with no file and no chunks');
        } else {
          this.stuck.add(record.id);
          logger.error({ pack: record.id }, 'a pack is missing from staging and from the store');
        }
        continue;
      }
      this.stagingUsed += size;
      if (record.state === 'open') {
        await this.sealFromIndex({ id: record.id, path: file, createdAt: record.createdAt, size });
        logger.info({ pack: record.id }, 'sealed a pack left open by the last run');
        continue;
      }
      this.options.onSealed({
        id: record.id,
        key: record.key!,
        sha256: record.key!.slice(record.key!.lastIndexOf('/') + 1, -'.pack'.length),
        size: record.size,
        path: file,
        createdAt: record.createdAt,
        stored: false,
      });
    }
  }

  /**
   * Stops appending. An empty open pack is discarded; one with chunks is left in staging, fsync'd,
   * for the next start to seal (as after a crash). Shutdown flushes first, so normally none is left.
   */
  async close(): Promise<void> {
    await this.mutex.run(async () => {
      await Promise.allSettled([...this.sealing.values()].map((s) => s.done));
      const open = this.open;
      this.open = null;
      if (!open) return;
      if (open.entries.length === 0) {
        await open.discard();
        await this.options.catalog.remove(open.id);
        this.options.onRemoved?.(open.id);
      } else {
        await open.release();
      }
    });
  }
}

async function fileSize(file: string): Promise<number | null> {
  try {
    return (await fs.stat(file)).size;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
