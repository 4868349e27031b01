import type { ChunkerParams } from '../config/config.js';
import { GEAR } from './gear.js';

/** A mask of the `bits` highest bits of a 32-bit word: those bits depend on the longest window. */
function topBits(bits: number): number {
  return bits >= 32 ? -1 : (~0 << (32 - bits)) | 0;
}

/**
 * FastCDC (Xia et al., 2016/2020) content-defined chunking with a gear hash, cut-point skipping below
 * `min` and normalised chunking: a stricter mask before `avg`, a looser one after it, a forced cut at
 * `max`. The state carries across `push` calls, so the boundaries depend only on the bytes, never on
 * how they were split into buffers.
 */
export class FastCdc {
  private readonly maskS: number;
  private readonly maskL: number;
  private hash = 0;
  /** Bytes of the current chunk seen so far. */
  private length = 0;
  private pieces: Buffer[] = [];

  constructor(private readonly params: ChunkerParams) {
    const bits = Math.round(Math.log2(params.avg));
    this.maskS = topBits(bits + 2);
    this.maskL = topBits(bits - 2);
  }

  /**
   * Feeds bytes and returns the chunks they complete. A returned chunk may share memory with the
   * input buffer, so the caller must not reuse that buffer.
   */
  push(buffer: Buffer): Buffer[] {
    const chunks: Buffer[] = [];
    let offset = 0;
    while (offset < buffer.length) {
      const cut = this.findCut(buffer, offset);
      if (cut < 0) {
        this.pieces.push(offset === 0 ? buffer : buffer.subarray(offset));
        break;
      }
      this.pieces.push(buffer.subarray(offset, cut));
      chunks.push(this.take());
      offset = cut;
    }
    return chunks;
  }

  /** Returns the last, possibly short, chunk, or null when the input ended on a boundary. */
  finish(): Buffer | null {
    return this.pieces.length === 0 ? null : this.take();
  }

  private take(): Buffer {
    const pieces = this.pieces;
    this.pieces = [];
    this.hash = 0;
    this.length = 0;
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  /** The index in `buffer` just past the next cut point, or -1 when this buffer holds none. */
  private findCut(buffer: Buffer, start: number): number {
    const { min, avg, max } = this.params;
    const gear = GEAR;
    const end = buffer.length;
    // Chunk length at buffer index i is base + i.
    const base = this.length - start;
    let hash = this.hash;
    let i = Math.max(start, Math.min(end, min - base));
    if (base + i < min) {
      this.length = base + i;
      return -1;
    }
    const maskS = this.maskS;
    const stopS = Math.min(end, avg - base);
    for (; i < stopS; i++) {
      hash = ((hash << 1) + gear[buffer[i]!]!) | 0;
      if ((hash & maskS) === 0) return i + 1;
    }
    const maskL = this.maskL;
    const stopL = Math.min(end, max - base);
    for (; i < stopL; i++) {
      hash = ((hash << 1) + gear[buffer[i]!]!) | 0;
      if ((hash & maskL) === 0) return i + 1;
    }
    if (base + i >= max) return i;
    this.hash = hash;
    this.length = base + i;
    return -1;
  }
}
