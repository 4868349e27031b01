import type { ChunkerParams } from '../config/config.js';
import { GEAR } from './gear.js';

/** A mask of the `bits` highest bits of a 32-bit word: those bits depend on the longest window. */
function topBits(bits: number): number {
  return bits >= 32 ? -1 : (~0 << (32 - bits)) | 0;
}

/**
 * FastCDC (Xia et al., 2016/2020) content-defined chunking with a gear hash, cut-point skipping below
 * `min` and normalised chunking: a stricter mask before `avg`, a looser one after it, a forced cut at
 * `max`. The state carries across `cuts` calls, so the boundaries depend only on the bytes, never on
 * how they were split into buffers. It only finds boundaries; the caller keeps the bytes.
 */
export class FastCdc {
  private readonly maskS: number;
  private readonly maskL: number;
  private hash = 0;
  /** Bytes of the current, unfinished chunk. */
  private length = 0;

  constructor(private readonly params: ChunkerParams) {
    const bits = Math.round(Math.log2(params.avg));
    this.maskS = topBits(bits + 2);
    this.maskL = topBits(bits - 2);
  }

  /** Feeds bytes; returns the offsets in `buffer` just past each chunk boundary it holds. */
  cuts(buffer: Uint8Array): number[] {
    const cuts: number[] = [];
    let offset = 0;
    while (offset < buffer.length) {
      const cut = this.findCut(buffer, offset);
      if (cut < 0) break;
      cuts.push(cut);
      this.hash = 0;
      this.length = 0;
      offset = cut;
    }
    return cuts;
  }

  /** Bytes fed since the last boundary: the final chunk, once the input ends. */
  get pending(): number {
    return this.length;
  }

  /** The index in `buffer` just past the next cut point, or -1 when this buffer holds none. */
  private findCut(buffer: Uint8Array, start: number): number {
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
