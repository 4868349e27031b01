import { Readable } from 'node:stream';
import type { BlobStore, ByteRange } from '../blobstore/blob-store.js';
import { FileHandleCache } from '../blobstore/file-handle-cache.js';
import { isNotFound } from '../blobstore/fsync.js';
import { readFully } from '../blobstore/read-fully.js';
import { IntegrityError } from '../errors/domain-error.js';
import type { ChunkHasher } from './chunk-id.js';
import type { Manifest } from './manifest.js';
import type { ChunkIndex, ChunkLocation, PackCatalog } from './ports.js';
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

/** One ranged read of a pack: chunks of the file that sit back to back in one pack. */
interface Span {
  packId: number;
  start: number;
  length: number;
  chunks: { index: number; location: ChunkLocation }[];
}

const LOOKUP_BATCH = 256;
/** Ranged reads in flight ahead of the consumer, unless the store asks for more. */
const READ_AHEAD = 3;
/** Below this many free slots a lease is copied out, so that slow consumers cannot starve the pool. */
const SLOT_RESERVE = 4;

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
          const job = this.fetchVerified(manifest, span, slot).then(() => ({ span, slot }));
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
        const location = locations.get(manifest.id(i).toString('hex'));
        if (!location) {
          throw new IntegrityError('stored data is missing a piece of this file', {
            detail: `chunk ${manifest.id(i).toString('hex')} is not in the index`,
          });
        }
        const adjacent =
          span &&
          span.packId === location.packId &&
          span.start + span.length === location.offset &&
          span.length + location.storedLength <= maxSpan;
        if (span && adjacent) {
          span.length += location.storedLength;
          span.chunks.push({ index: i, location });
        } else {
          if (span) yield span;
          span = {
            packId: location.packId,
            start: location.offset,
            length: location.storedLength,
            chunks: [],
          };
          span.chunks.push({ index: i, location });
        }
      }
    }
    if (span) yield span;
  }

  private async fetchVerified(manifest: Manifest, span: Span, slot: Slot): Promise<void> {
    await this.fetchSpan(span, slot.buffer.subarray(0, span.length));
    await Promise.all(
      span.chunks.map(async ({ index, location }) => {
        const at = location.offset - span.start;
        const expected = manifest.id(index);
        const actual = await this.deps.hasher.id(slot, at, location.storedLength);
        if (!actual.equals(expected) || location.storedLength !== manifest.length(index)) {
          throw new IntegrityError('stored data failed verification; this file is damaged', {
            detail: `chunk ${expected.toString('hex')} in pack ${span.packId} does not match its id`,
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

  /** Reads a span into `target`: from the staging file while the pack is uncommitted, else the store. */
  private async fetchSpan(span: Span, target: Buffer): Promise<void> {
    const pack = await this.deps.catalog.get(span.packId);
    if (!pack)
      throw new IntegrityError('stored data is missing', { detail: `pack ${span.packId} has no record` });
    if (pack.state !== 'committed') {
      try {
        await this.readStaging(this.deps.stagingPath(span.packId), span.start, target);
        return;
      } catch (error) {
        // Committed and removed from staging since we looked: read it from the store instead.
        if (!isNotFound(error)) throw error;
      }
    }
    const key = pack.key ?? (await this.deps.catalog.get(span.packId))?.key;
    if (!key)
      throw new IntegrityError('stored data is missing', { detail: `pack ${span.packId} has no key` });
    const { store } = this.deps;
    if (store.readInto) {
      await store.readInto(key, span.start, target);
      return;
    }
    const stream = await store.get(key, { start: span.start, end: span.start + span.length - 1 });
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
