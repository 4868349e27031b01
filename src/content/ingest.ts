import type { Readable } from 'node:stream';
import type { ChunkHasher, ChunkId } from './chunk-id.js';
import type { FastCdc } from './fastcdc.js';
import { contentHash, Manifest } from './manifest.js';
import type { Packer } from './packer.js';
import type { ChunkIndex, StoredChunk } from './ports.js';

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
  /** Every pack holding this content's chunks, for durability waits. */
  packIds: number[];
}

export interface IngestDeps {
  chunker: FastCdc;
  hasher: ChunkHasher;
  chunkIndex: ChunkIndex;
  packer: Packer;
}

/** Hashes in flight while the next chunks are being cut: overlaps hashing with reading. */
const HASH_AHEAD = 3;
/** Chunk writes in flight before the reader waits for the disk. */
const WRITES_AHEAD = 4;

/**
 * Streams a body into the content store: cut into chunks, hash each (off the main thread), skip the
 * ones already stored (committed, in a staging pack, or earlier in this same stream), append the rest
 * to the shared packer. Memory holds at most a few chunks, whatever the size of the body. Returns
 * once every new chunk is fsync'd in staging.
 */
export async function ingest(source: Readable, deps: IngestDeps, options: IngestOptions = {}): Promise<IngestResult> {
  const { chunker, hasher, chunkIndex, packer } = deps;
  const manifestEntries: { id: ChunkId; length: number }[] = [];
  const newChunks = new Map<string, StoredChunk>();
  const packIds = new Set<number>();
  const hashing: Promise<{ id: ChunkId; data: Buffer }>[] = [];
  const writes: Promise<void>[] = [];
  const allWrites: Promise<void>[] = [];
  let size = 0;

  const place = async (job: Promise<{ id: ChunkId; data: Buffer }>): Promise<void> => {
    const { id, data } = await job;
    manifestEntries.push({ id, length: data.length });
    const hex = id.toString('hex');
    if (newChunks.has(hex)) return;
    const pending = packer.findPending(id);
    if (pending) {
      newChunks.set(hex, { id, ...pending });
      packIds.add(pending.packId);
      return;
    }
    const known = await chunkIndex.find(id);
    if (known) {
      // Known to committed metadata; its pack may still be in staging.
      packIds.add(known.packId);
      return;
    }
    const { location, written } = await packer.append(id, data, data.length);
    newChunks.set(hex, { id, ...location });
    packIds.add(location.packId);
    writes.push(written);
    allWrites.push(written);
    if (writes.length >= WRITES_AHEAD) await writes.shift();
  };

  const cut = async (chunk: Buffer): Promise<void> => {
    hashing.push(hasher.id(chunk).then((id) => ({ id, data: chunk })));
    if (hashing.length > HASH_AHEAD) await place(hashing.shift()!);
  };

  try {
    for await (const piece of source as AsyncIterable<Buffer>) {
      size += piece.length;
      options.onProgress?.(size);
      for (const chunk of chunker.push(piece)) await cut(chunk);
    }
    const last = chunker.finish();
    if (last) await cut(last);
    while (hashing.length > 0) await place(hashing.shift()!);
    await Promise.all(allWrites);
  } catch (error) {
    // Settle everything still running before giving up, so nothing rejects unobserved.
    await Promise.allSettled([...hashing, ...allWrites]);
    throw error;
  }
  await packer.sync(packIds);
  const manifest = Manifest.encode(manifestEntries);
  return {
    size,
    contentHash: contentHash(manifest),
    manifest,
    newChunks: [...newChunks.values()],
    packIds: [...packIds],
  };
}
