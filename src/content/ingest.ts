import type { Readable } from 'node:stream';
import type { ChunkHasher, ChunkId } from './chunk-id.js';
import type { FastCdc } from './fastcdc.js';
import { contentHash, Manifest } from './manifest.js';
import type { Packer } from './packer.js';
import type { ChunkIndex, StoredChunk } from './ports.js';
import type { Slot, SlotPool } from './slot-pool.js';

export interface IngestOptions {
  /** Called with the running byte count; throwing aborts the ingest (quota, size limits). */
  onProgress?(bytesSoFar: number): void;
}

export interface IngestResult {
  size: number;
  /** SHA-256 of the manifest: equal for equal content. */
  contentHash: string;
  manifest: Buffer;
  /** Chunks stored in staging packs that committed metadata may not know yet: insert these. */
  newChunks: StoredChunk[];
}

export interface IngestDeps {
  chunker: FastCdc;
  hasher: ChunkHasher;
  chunkIndex: ChunkIndex;
  packer: Packer;
  slots: SlotPool;
}

/** Chunks hashed or placed while the next ones are cut: overlaps hashing with reading. */
const HASH_AHEAD = 3;
/** Chunk writes in flight before the reader waits for the disk. */
const WRITES_AHEAD = 4;

/**
 * Streams a body into the content store: cut into chunks (each copied once, into a slot), hash each
 * on a worker, skip the ones already stored (committed, in a staging pack, or earlier in this same
 * stream), append the rest to the shared packer. Memory is the slots in use, whatever the size of
 * the body. Returns once every new chunk is fsync'd in staging.
 */
export async function ingest(
  source: Readable,
  deps: IngestDeps,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const { chunker, hasher, chunkIndex, packer, slots } = deps;
  const manifestEntries: { id: ChunkId; length: number }[] = [];
  const newChunks = new Map<string, StoredChunk>();
  const packIds = new Set<number>();
  /** Placement of each cut chunk, chained so that chunks are placed in order. */
  let placing: Promise<void> = Promise.resolve();
  const placements: Promise<void>[] = [];
  const writes: Promise<void>[] = [];
  const held = new Set<Slot>();
  let size = 0;

  const release = (slot: Slot) => {
    if (held.delete(slot)) slots.release(slot);
  };

  const place = async (slot: Slot, length: number, idPromise: Promise<ChunkId>): Promise<void> => {
    const id = await idPromise;
    manifestEntries.push({ id, length });
    const hex = id.toString('hex');
    const pending = newChunks.get(hex) ?? packer.findPending(id);
    const known = pending ?? (await chunkIndex.find(id));
    if (known) {
      // Already stored: in this stream, in a staging pack, or known to committed metadata. One that
      // committed metadata may not know yet is recorded with this content.
      if (pending) newChunks.set(hex, { ...pending, id });
      packIds.add(known.packId);
      release(slot);
      return;
    }
    const { location, written } = await packer.append(id, slot.buffer.subarray(0, length), length);
    newChunks.set(hex, { id, ...location });
    packIds.add(location.packId);
    const done = written.finally(() => release(slot));
    done.catch(() => undefined);
    writes.push(done);
    if (writes.length >= WRITES_AHEAD) await writes.shift();
  };

  /**
   * Hands a cut chunk to a hashing worker and queues its placement, which runs as soon as the hash
   * is ready, whether or not more of the body arrives: a stalled client keeps no finished chunk's slot.
   */
  const cut = async (slot: Slot, length: number): Promise<void> => {
    const id = hasher.id(slot, 0, length);
    id.catch(() => undefined);
    placing = placing.then(() => place(slot, length, id));
    placing.catch(() => undefined);
    placements.push(placing);
    if (placements.length > HASH_AHEAD) await placements.shift();
  };

  /** A free slot; when none is free, let this stream's own work finish first so it cannot deadlock. */
  const nextSlot = async (): Promise<Slot> => {
    let slot = slots.tryAcquire();
    while (!slot && placements.length > 0) {
      await placements.shift();
      slot = slots.tryAcquire();
    }
    while (!slot && writes.length > 0) {
      await writes.shift();
      slot = slots.tryAcquire();
    }
    slot ??= await slots.acquire();
    held.add(slot);
    return slot;
  };

  try {
    let slot = await nextSlot();
    let filled = 0;
    for await (const piece of source as AsyncIterable<Buffer>) {
      size += piece.length;
      options.onProgress?.(size);
      let at = 0;
      for (const end of chunker.cuts(piece)) {
        piece.copy(slot.buffer, filled, at, end);
        await cut(slot, filled + end - at);
        slot = await nextSlot();
        filled = 0;
        at = end;
      }
      piece.copy(slot.buffer, filled, at);
      filled += piece.length - at;
    }
    if (filled > 0) await cut(slot, filled);
    else release(slot);
    await placing;
    await Promise.all(writes);
  } finally {
    // On failure, let everything in flight settle, then give every slot back.
    await Promise.allSettled([placing, ...writes]);
    for (const slot of [...held]) release(slot);
  }
  await packer.sync(packIds);
  const manifest = Manifest.encode(manifestEntries);
  return {
    size,
    contentHash: contentHash(manifest),
    manifest,
    newChunks: [...newChunks.values()],
  };
}
