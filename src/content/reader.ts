import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import type { BlobStore, ByteRange } from '../blobstore/blob-store.js';
import { IntegrityError } from '../errors/domain-error.js';
import type { ChunkHasher } from './chunk-id.js';
import type { Manifest } from './manifest.js';
import type { ChunkIndex, ChunkLocation, PackCatalog } from './ports.js';

export interface ReaderDeps {
  store: BlobStore;
  chunkIndex: ChunkIndex;
  catalog: PackCatalog;
  hasher: ChunkHasher;
  /** Where an uncommitted pack's staging file lives. */
  stagingPath(packId: number): string;
}

export interface ReaderOptions {
  /** Most bytes one ranged read may fetch when coalescing adjacent chunks. */
  maxSpan?: number;
  /** Ranged reads in flight ahead of the consumer. */
  readAhead?: number;
}

/** One ranged read of a pack: adjacent chunks of the file that sit back to back in one pack. */
interface Span {
  packId: number;
  start: number;
  length: number;
  chunks: { index: number; location: ChunkLocation }[];
}

const LOOKUP_BATCH = 256;

/**
 * Streams a byte range of a file: finds the chunks by binary search on cumulative offsets, reads
 * adjacent chunks of one pack with a single ranged get, keeps a few reads in flight ahead of the
 * consumer, verifies every chunk against its id, and emits only the requested bytes.
 */
export class ContentReader {
  private readonly maxSpan: number;
  private readonly readAhead: number;

  constructor(
    private readonly deps: ReaderDeps,
    options: ReaderOptions = {},
  ) {
    this.maxSpan = options.maxSpan ?? 16 * 1024 * 1024;
    this.readAhead = options.readAhead ?? 4;
  }

  /** `range` is inclusive and must lie within the file; an empty file has no range. */
  read(manifest: Manifest, range?: ByteRange): Readable {
    if (manifest.size === 0) return Readable.from([], { objectMode: false });
    const start = range?.start ?? 0;
    const end = range?.end ?? manifest.size - 1;
    return Readable.from(this.generate(manifest, start, end), { objectMode: false, highWaterMark: 1 });
  }

  private async *generate(manifest: Manifest, start: number, end: number): AsyncGenerator<Buffer> {
    const spans = this.spans(manifest, manifest.chunkAt(start), manifest.chunkAt(end));
    const inFlight: Promise<{ span: Span; data: Buffer[] }>[] = [];
    try {
      let next = await spans.next();
      const fill = async (): Promise<void> => {
        while (!next.done && inFlight.length < this.readAhead) {
          const p = this.fetchVerified(manifest, next.value);
          p.catch(() => undefined);
          inFlight.push(p);
          next = await spans.next();
        }
      };
      await fill();
      while (inFlight.length > 0) {
        const { span, data } = await inFlight.shift()!;
        await fill();
        for (let k = 0; k < span.chunks.length; k++) {
          const index = span.chunks[k]!.index;
          const chunkStart = manifest.offsets[index]!;
          const from = Math.max(0, start - chunkStart);
          const to = Math.min(data[k]!.length, end - chunkStart + 1);
          if (to > from) yield from === 0 && to === data[k]!.length ? data[k]! : data[k]!.subarray(from, to);
        }
      }
    } finally {
      await Promise.allSettled(inFlight);
    }
  }

  /** Groups chunks first..last into spans, looking their locations up in batches. */
  private async *spans(manifest: Manifest, first: number, last: number): AsyncGenerator<Span> {
    let span: Span | null = null;
    for (let batchStart = first; batchStart <= last; batchStart += LOOKUP_BATCH) {
      const batchEnd = Math.min(last, batchStart + LOOKUP_BATCH - 1);
      const ids = [];
      for (let i = batchStart; i <= batchEnd; i++) ids.push(manifest.id(i));
      const locations = await this.deps.chunkIndex.findMany(ids);
      for (let i = batchStart; i <= batchEnd; i++) {
        const location = locations.get(manifest.id(i).toString('hex'));
        if (!location) {
          throw new IntegrityError(`chunk ${manifest.id(i).toString('hex')} of this file is missing from the index`);
        }
        const adjacent =
          span &&
          span.packId === location.packId &&
          span.start + span.length === location.offset &&
          span.length + location.storedLength <= this.maxSpan;
        if (span && adjacent) {
          span.length += location.storedLength;
          span.chunks.push({ index: i, location });
        } else {
          if (span) yield span;
          span = { packId: location.packId, start: location.offset, length: location.storedLength, chunks: [] };
          span.chunks.push({ index: i, location });
        }
      }
    }
    if (span) yield span;
  }

  private async fetchVerified(manifest: Manifest, span: Span): Promise<{ span: Span; data: Buffer[] }> {
    const bytes = await this.fetchSpan(span);
    const data = await Promise.all(
      span.chunks.map(async ({ index, location }) => {
        const at = location.offset - span.start;
        const chunk = bytes.subarray(at, at + location.storedLength);
        const expected = manifest.id(index);
        const actual = await this.deps.hasher.id(chunk);
        if (!actual.equals(expected) || chunk.length !== manifest.length(index)) {
          throw new IntegrityError(
            `stored data failed verification: chunk ${expected.toString('hex')} in pack ${span.packId} is corrupt`,
          );
        }
        return chunk;
      }),
    );
    return { span, data };
  }

  private async fetchSpan(span: Span): Promise<Buffer> {
    const pack = await this.deps.catalog.get(span.packId);
    if (!pack) throw new IntegrityError(`pack ${span.packId} is missing from the catalog`);
    if (pack.state !== 'committed') {
      try {
        return await readFileRange(this.deps.stagingPath(span.packId), span.start, span.length);
      } catch (error) {
        // Committed and removed from staging since we looked: read it from the store instead.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    const committed = pack.key ?? (await this.deps.catalog.get(span.packId))?.key;
    if (!committed) throw new IntegrityError(`pack ${span.packId} has no store key`);
    const stream = await this.deps.store.get(committed, { start: span.start, end: span.start + span.length - 1 });
    return collect(stream, span.length);
  }
}

async function readFileRange(file: string, start: number, length: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, start + done);
      if (bytesRead === 0) throw new IntegrityError(`staging pack ${file} is shorter than its index says`);
      done += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}

/** Reads a stream of known length into one buffer. */
async function collect(stream: Readable, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  for await (const piece of stream as AsyncIterable<Buffer>) {
    if (done + piece.length > length) {
      stream.destroy();
      throw new IntegrityError('the store returned more bytes than requested');
    }
    piece.copy(buffer, done);
    done += piece.length;
  }
  if (done !== length) throw new IntegrityError('the store returned fewer bytes than requested');
  return buffer;
}
