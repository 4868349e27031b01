import { Readable } from 'node:stream';
import type { BlobStore, ByteRange } from '../blobstore/blob-store.js';
import { BlobNotFoundError } from '../blobstore/errors.js';
import { FileHandleCache } from '../blobstore/file-handle-cache.js';
import { isNotFound } from '../blobstore/fsync.js';
import { readFully } from '../blobstore/read-fully.js';
import { IntegrityError } from '../errors/domain-error.js';
import { chunkIdHex, type ChunkHasher, type ChunkId } from './chunk-id.js';
import type { Manifest } from './manifest.js';
import type { ChunkIndex, ChunkLocation, PackCatalog, StoredChunk } from './ports.js';
import type { Slot, SlotPool } from './slot-pool.js';

export interface ReaderDeps {
  store: BlobStore;
  chunkIndex: ChunkIndex;
  catalog: PackCatalog;
  hasher: ChunkHasher;
  slots: SlotPool;
  /** Where an uncommitted pack's staging file lives. */
  stagingPath(packId: number): string;
}

/**
 * Verified bytes lent from a slot. The holder must call `release` once it no longer needs `data`
 * (for a socket: once the write completed); calling it again does nothing.
 */
export interface Lease {
  data: Buffer;
  release(): void;
}

/** A chunk to read: the id its bytes must hash to, the length they must have, and where they are. */
interface SpanChunk {
  /** Its place in the file (or in the list of chunks asked for). */
  index: number;
  id: ChunkId;
  length: number;
  location: ChunkLocation;
}

/** One ranged read of a pack: chunks that sit close together in one pack, in offset order. */
interface Span {
  packId: number;
  start: number;
  length: number;
  chunks: SpanChunk[];
}

/** Stored chunks read and verified, as views into a lent slot; `release` gives the slot back. */
export interface StoredSpan {
  chunks: { chunk: StoredChunk; data: Buffer }[];
  release(): void;
}

/** The pack a chunk was looked up in has no record any more: it was repacked and deleted. */
class PackGoneError extends IntegrityError {}

/** Adds `chunk` to `span` when it fits in one read: same pack, after it, at most `maxGap` bytes on. */
function extendSpan(span: Span, chunk: SpanChunk, maxSpan: number, maxGap: number): boolean {
  const { location } = chunk;
  const end = span.start + span.length;
  const gap = location.offset - end;
  if (location.packId !== span.packId || gap < 0 || gap > maxGap) return false;
  const length = location.offset + location.storedLength - span.start;
  if (length > maxSpan) return false;
  span.length = length;
  span.chunks.push(chunk);
  return true;
}

function spanOf(chunk: SpanChunk): Span {
  const { location } = chunk;
  return { packId: location.packId, start: location.offset, length: location.storedLength, chunks: [chunk] };
}

const LOOKUP_BATCH = 256;
/** Ranged reads in flight ahead of the consumer, unless the store asks for more. */
const READ_AHEAD = 3;
/** Below this many free slots a lease is copied out, so that slow consumers cannot starve the pool. */
const SLOT_RESERVE = 4;
/** Times a read looks chunks up again after their pack went away (each repack moves them once). */
const MOVED_RETRIES = 3;

/**
 * Streams a byte range of a file: finds the chunks by binary search on cumulative offsets, reads
 * adjacent chunks of one pack with a single ranged read into a slot, keeps a few reads in flight
 * ahead of the consumer, verifies every chunk against its id on a worker, and lends out only the
 * requested bytes.
 */
export class ContentReader {
  /** Open staging packs; a pack's handle is dropped once the pack is committed and its file removed. */
  private readonly staging = new FileHandleCache(8);

  constructor(private readonly deps: ReaderDeps) {}

  /** Drops the cached handle of a staging file that is about to be removed. */
  forgetStaging(file: string): void {
    this.staging.evict(file);
  }

  close(): Promise<void> {
    return this.staging.close();
  }

  /** `range` is inclusive and must lie within the file. */
  async *leases(manifest: Manifest, range?: ByteRange): AsyncGenerator<Lease> {
    if (manifest.size === 0) return;
    const start = range?.start ?? 0;
    const end = range?.end ?? manifest.size - 1;
    const spans = this.spans(manifest, manifest.chunkAt(start), manifest.chunkAt(end));
    const inFlight: Promise<{ span: Span; slot: Slot }>[] = [];
    const readAhead = this.deps.store.readAhead ?? READ_AHEAD;
    // Slots this generator owns; a lent slot belongs to the consumer until it calls release().
    const held = new Set<Slot>();
    const { slots } = this.deps;
    const lend = (slot: Slot): (() => void) => {
      held.delete(slot);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        slots.release(slot);
      };
    };
    try {
      let next = await spans.next();
      // Waits for a slot only when nothing of this read is in flight (else it could wait on itself,
      // and a few reads could hold every slot between them); reads ahead only while slots are plenty.
      const fill = async (): Promise<void> => {
        while (!next.done && inFlight.length < readAhead) {
          const span = next.value;
          let slot: Slot | null;
          if (inFlight.length === 0) slot = await slots.acquire();
          else slot = slots.available > SLOT_RESERVE ? slots.tryAcquire() : null;
          if (!slot) return;
          held.add(slot);
          const job = this.fetchVerified(span, slot).then(() => ({ span, slot }));
          job.catch(() => undefined);
          inFlight.push(job);
          next = await spans.next();
        }
      };
      await fill();
      while (inFlight.length > 0) {
        const { span, slot } = await inFlight.shift()!;
        const first = span.chunks[0]!;
        const last = span.chunks[span.chunks.length - 1]!;
        const spanStart = manifest.offsets[first.index]!;
        const from = Math.max(start, spanStart) - spanStart;
        const to = Math.min(end + 1, manifest.offsets[last.index + 1]!) - spanStart;
        const release = lend(slot);
        if (slots.available < SLOT_RESERVE) {
          const copy = Buffer.from(slot.buffer.subarray(from, to));
          release();
          yield { data: copy, release: () => undefined };
        } else {
          yield { data: slot.buffer.subarray(from, to), release };
        }
        await fill();
      }
    } finally {
      await Promise.allSettled(inFlight);
      for (const slot of held) slots.release(slot);
      held.clear();
    }
  }

  /** The range as a plain stream of copied bytes, for consumers that cannot release leases. */
  read(manifest: Manifest, range?: ByteRange): Readable {
    const leases = this.leases(manifest, range);
    return Readable.from(
      (async function* () {
        for await (const lease of leases) {
          const copy = Buffer.from(lease.data);
          lease.release();
          yield copy;
        }
      })(),
      { objectMode: false, highWaterMark: 1 },
    );
  }

  /** Groups chunks first..last into spans that fit a slot, looking their locations up in batches. */
  private async *spans(manifest: Manifest, first: number, last: number): AsyncGenerator<Span> {
    const maxSpan = this.deps.slots.slotSize;
    let span: Span | null = null;
    for (let batchStart = first; batchStart <= last; batchStart += LOOKUP_BATCH) {
      const batchEnd = Math.min(last, batchStart + LOOKUP_BATCH - 1);
      const ids = [];
      for (let i = batchStart; i <= batchEnd; i++) ids.push(manifest.id(i));
      const locations = await this.deps.chunkIndex.findMany(ids);
      for (let i = batchStart; i <= batchEnd; i++) {
        const id = manifest.id(i);
        const location = locations.get(id.toString('hex'));
        if (!location) {
          throw new IntegrityError('stored data is missing a piece of this file', {
            detail: `chunk ${id.toString('hex')} is not in the index`,
          });
        }
        const chunk: SpanChunk = { index: i, id, length: manifest.length(i), location };
        // The consumer slices a span as the file's bytes: only chunks back to back (no gap).
        if (span && extendSpan(span, chunk, maxSpan, 0)) continue;
        if (span) yield span;
        span = spanOf(chunk);
      }
    }
    if (span) yield span;
  }

  /**
   * Reads stored chunks (in pack and offset order) with ranged reads that span gaps of up to
   * `maxGap` bytes, verifies each against its id, and yields them span by span, one read ahead.
   */
  async *stored(chunks: readonly StoredChunk[], options: { maxGap: number }): AsyncGenerator<StoredSpan> {
    const { slots } = this.deps;
    const spans: Span[] = [];
    chunks.forEach((stored, index) => {
      const chunk: SpanChunk = { index, id: stored.id, length: stored.storedLength, location: stored };
      const last = spans.at(-1);
      if (!last || !extendSpan(last, chunk, slots.slotSize, options.maxGap)) spans.push(spanOf(chunk));
    });
    const start = async (span: Span): Promise<{ span: Span; slot: Slot }> => {
      const slot = await slots.acquire();
      try {
        await this.fetchVerified(span, slot);
      } catch (error) {
        slots.release(slot);
        throw error;
      }
      return { span, slot };
    };
    let next: Promise<{ span: Span; slot: Slot }> | null = null;
    try {
      for (let i = 0; i < spans.length; i++) {
        const current = await (next ?? start(spans[i]!));
        next = null;
        if (i + 1 < spans.length) {
          next = start(spans[i + 1]!);
          next.catch(() => undefined);
        }
        let released = false;
        yield {
          chunks: current.span.chunks.map((c) => {
            const at = c.location.offset - current.span.start;
            return { chunk: chunks[c.index]!, data: current.slot.buffer.subarray(at, at + c.length) };
          }),
          release: () => {
            if (released) return;
            released = true;
            slots.release(current.slot);
          },
        };
      }
    } finally {
      const pending = await next?.catch(() => null);
      if (pending) slots.release(pending.slot);
    }
  }

  private async fetchVerified(span: Span, slot: Slot): Promise<void> {
    await this.fetchSpan(span, slot.buffer.subarray(0, span.length));
    await Promise.all(
      span.chunks.map(async ({ id, length, location }) => {
        const at = location.offset - span.start;
        const actual = await this.deps.hasher.id(slot, at, location.storedLength);
        if (!actual.equals(id) || location.storedLength !== length) {
          throw new IntegrityError('stored data failed verification; this file is damaged', {
            detail: `chunk ${id.toString('hex')} in pack ${span.packId} does not match its id`,
          });
        }
      }),
    );
  }

  private async readStaging(file: string, position: number, target: Buffer): Promise<void> {
    const handle = await this.staging.open(file);
    if (!(await readFully(handle, target, position))) {
      this.staging.evict(file);
      throw new IntegrityError('stored data is missing', { detail: `staging pack ${file} is too short` });
    }
  }

  /**
   * Reads a span into `target`. When its pack is gone (repacked and deleted since the locations were
   * looked up), the chunks are looked up again and read from where they are now.
   */
  private async fetchSpan(span: Span, target: Buffer): Promise<void> {
    try {
      await this.fetchRange(span.packId, span.start, target);
    } catch (error) {
      if (!(error instanceof BlobNotFoundError || error instanceof PackGoneError)) throw error;
      await this.fetchMoved(span, target, error);
    }
  }

  /** Reads each chunk of `span` from its current location into its place in `target`. */
  private async fetchMoved(span: Span, target: Buffer, cause: Error): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const locations = await this.deps.chunkIndex.findMany(span.chunks.map((c) => c.id));
      // Runs of chunks that are still back to back, as (place in target, new location) pieces.
      const pieces: { at: number; packId: number; offset: number; length: number }[] = [];
      for (const chunk of span.chunks) {
        const now = locations.get(chunkIdHex(chunk.id));
        const moved = now && (now.packId !== chunk.location.packId || now.offset !== chunk.location.offset);
        if (!now || !moved) throw cause;
        const at = chunk.location.offset - span.start;
        const last = pieces.at(-1);
        if (
          last &&
          last.packId === now.packId &&
          last.offset + last.length === now.offset &&
          last.at + last.length === at
        ) {
          last.length += now.storedLength;
        } else {
          pieces.push({ at, packId: now.packId, offset: now.offset, length: now.storedLength });
        }
      }
      try {
        for (const piece of pieces) {
          await this.fetchRange(
            piece.packId,
            piece.offset,
            target.subarray(piece.at, piece.at + piece.length),
          );
        }
        return;
      } catch (error) {
        const gone = error instanceof BlobNotFoundError || error instanceof PackGoneError;
        if (!gone || attempt >= MOVED_RETRIES) throw error;
      }
    }
  }

  /** Reads `target.length` bytes of a pack: from its staging file while uncommitted, else the store. */
  private async fetchRange(packId: number, start: number, target: Buffer): Promise<void> {
    const pack = await this.deps.catalog.get(packId);
    if (!pack) throw new PackGoneError('stored data is missing', { detail: `pack ${packId} has no record` });
    if (pack.state !== 'committed') {
      try {
        await this.readStaging(this.deps.stagingPath(packId), start, target);
        return;
      } catch (error) {
        // Committed and removed from staging since we looked: read it from the store instead.
        if (!isNotFound(error)) throw error;
      }
    }
    const key = pack.key ?? (await this.deps.catalog.get(packId))?.key;
    if (!key) throw new IntegrityError('stored data is missing', { detail: `pack ${packId} has no key` });
    const { store } = this.deps;
    if (store.readInto) {
      await store.readInto(key, start, target);
      return;
    }
    const stream = await store.get(key, { start, end: start + target.length - 1 });
    await streamInto(stream, target);
  }
}

/** Copies a stream of exactly `target.length` bytes into `target`. */
async function streamInto(stream: Readable, target: Buffer): Promise<void> {
  let done = 0;
  for await (const piece of stream as AsyncIterable<Buffer>) {
    if (done + piece.length > target.length) {
      stream.destroy();
      throw new IntegrityError('the store returned more bytes than asked for');
    }
    piece.copy(target, done);
    done += piece.length;
  }
  if (done !== target.length) throw new IntegrityError('the store returned fewer bytes than asked for');
}
