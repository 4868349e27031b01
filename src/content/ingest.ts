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
  /** A resumable write: complete chunks are handed over as they become durable. */
  checkpoints?: IngestCheckpoints;
}

/**
 * A resumable write (a tus upload). Every so often, and when the source ends, the chunks cut since
 * the last hand-over are made durable in staging and given to `save`, which records them: what was
 * saved survives an interruption, even a crash, and the writer resumes right after it. That is a
 * chunk boundary, and FastCDC's cuts depend only on the bytes since the last boundary, so a resumed
 * write cuts the same chunks as one that never stopped.
 */
export interface IngestCheckpoints {
  /** Hand over once this many bytes were cut into chunks since the last hand-over… */
  everyBytes: number;
  /** …or once this long has passed and at least one chunk was cut. */
  everyMs: number;
  /**
   * Asked when the source ends: do its bytes after the last boundary make a last chunk? If not
   * (an interrupted request), they are dropped and the writer sends them again.
   */
  keepTail(): boolean;
  /** Records a part; the ingest waits for it, and fails if it throws. */
  save(part: IngestPart): Promise<void>;
}

/** Chunks handed over by a resumable write, in order, following the previous part. */
export interface IngestPart {
  /** Bytes of the part's chunks. */
  size: number;
  /** The part's chunk entries, encoded like a manifest. */
  manifest: Buffer;
  /** Chunks of the part that committed metadata may not know yet: record these. */
  newChunks: StoredChunk[];
  /** The source ended: the last part of this ingest (it may hold no chunk). */
  last: boolean;
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
  /** Keys of `newChunks` in the order they came (resumable writes hand them over in slices). */
  const newOrder: string[] = [];
  const packIds = new Set<number>();
  /** Placement of each cut chunk, chained so that chunks are placed in order. */
  let placing: Promise<void> = Promise.resolve();
  const placements: Promise<void>[] = [];
  const writes: Promise<void>[] = [];
  const held = new Set<Slot>();
  let size = 0;
  const { checkpoints } = options;
  /** What was handed over so far (resumable writes): entries, cut bytes, new chunks, when. */
  const handed = { entries: 0, cutBytes: 0, newChunks: 0, at: Date.now() };
  let cutBytes = 0;

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
      if (pending) {
        if (!newChunks.has(hex)) newOrder.push(hex);
        newChunks.set(hex, { ...pending, id });
      }
      packIds.add(known.packId);
      release(slot);
      return;
    }
    const { location, written } = await packer.append(id, slot.buffer.subarray(0, length), length);
    newChunks.set(hex, { id, ...location });
    newOrder.push(hex);
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
    cutBytes += length;
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

  /** Makes the chunks cut so far durable and hands the ones not handed over yet to `save`. */
  const handOver = async (save: IngestCheckpoints['save'], last: boolean): Promise<void> => {
    await placing;
    await Promise.all(writes.splice(0));
    await packer.sync(packIds);
    packIds.clear();
    const entries = manifestEntries.slice(handed.entries);
    const fresh = newOrder.slice(handed.newChunks).map((hex) => newChunks.get(hex)!);
    await save({
      size: entries.reduce((sum, e) => sum + e.length, 0),
      manifest: Manifest.encode(entries),
      newChunks: fresh,
      last,
    });
    handed.entries = manifestEntries.length;
    handed.cutBytes = cutBytes;
    handed.newChunks = newOrder.length;
    handed.at = Date.now();
  };
  const handOverDue = (every: IngestCheckpoints): boolean =>
    cutBytes - handed.cutBytes >= every.everyBytes ||
    (cutBytes > handed.cutBytes && Date.now() - handed.at >= every.everyMs);

  let dropped = 0;
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
      if (checkpoints && handOverDue(checkpoints)) await handOver(checkpoints.save, false);
    }
    if (filled > 0 && (checkpoints?.keepTail() ?? true)) await cut(slot, filled);
    else {
      dropped = filled;
      release(slot);
    }
    await placing;
    await Promise.all(writes);
  } finally {
    // On failure, let everything in flight settle, then give every slot back.
    await Promise.allSettled([placing, ...writes]);
    for (const slot of [...held]) release(slot);
  }
  if (checkpoints) await handOver(checkpoints.save, true);
  else await packer.sync(packIds);
  const manifest = Manifest.encode(manifestEntries);
  return {
    size: size - dropped,
    contentHash: contentHash(manifest),
    manifest,
    newChunks: [...newChunks.values()],
  };
}
