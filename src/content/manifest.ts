import { createHash } from 'node:crypto';
import { CHUNK_ID_BYTES, type ChunkId } from './chunk-id.js';

/**
 * A file's content: its chunk ids in order with their plain lengths. Encoded as 36-byte entries
 * (id, u32 length), and decoded into cumulative offsets so that a byte offset is found by binary search.
 */
export const MANIFEST_ENTRY_BYTES = CHUNK_ID_BYTES + 4;

export class Manifest {
  /** offsets[i] is where chunk i starts; offsets[count] is the file's size. */
  readonly offsets: Float64Array;

  private constructor(private readonly encoded: Buffer) {
    const count = encoded.length / MANIFEST_ENTRY_BYTES;
    this.offsets = new Float64Array(count + 1);
    for (let i = 0; i < count; i++) {
      this.offsets[i + 1] =
        this.offsets[i]! + encoded.readUInt32LE(i * MANIFEST_ENTRY_BYTES + CHUNK_ID_BYTES);
    }
  }

  static decode(encoded: Buffer): Manifest {
    if (encoded.length % MANIFEST_ENTRY_BYTES !== 0) throw new Error('corrupt manifest: length');
    return new Manifest(encoded);
  }

  static encode(chunks: readonly { id: ChunkId; length: number }[]): Buffer {
    const out = Buffer.allocUnsafe(chunks.length * MANIFEST_ENTRY_BYTES);
    chunks.forEach((chunk, i) => {
      chunk.id.copy(out, i * MANIFEST_ENTRY_BYTES);
      out.writeUInt32LE(chunk.length, i * MANIFEST_ENTRY_BYTES + CHUNK_ID_BYTES);
    });
    return out;
  }

  get count(): number {
    return this.offsets.length - 1;
  }

  get size(): number {
    return this.offsets[this.count]!;
  }

  id(index: number): ChunkId {
    const at = index * MANIFEST_ENTRY_BYTES;
    return this.encoded.subarray(at, at + CHUNK_ID_BYTES);
  }

  length(index: number): number {
    return this.offsets[index + 1]! - this.offsets[index]!;
  }

  /** The index of the chunk holding byte `offset` (0 <= offset < size). */
  chunkAt(offset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.offsets[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  get bytes(): Buffer {
    return this.encoded;
  }
}

/** Identifies content by its chunk list: equal for equal bytes under the same chunker and key. */
export function contentHash(encodedManifest: Buffer): string {
  return createHash('sha256').update(encodedManifest).digest('hex');
}
