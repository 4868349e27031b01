import type { Slot } from './slot-pool.js';

/** A chunk's id: 32 bytes, SHA-256 of its plain bytes (HMAC-SHA-256 under the data key once encrypted). */
export type ChunkId = Buffer;

export const CHUNK_ID_BYTES = 32;

/** Computes chunk ids of bytes held in a slot, off the main thread. */
export interface ChunkHasher {
  id(slot: Slot, start: number, length: number): Promise<ChunkId>;
}

export function chunkIdHex(id: ChunkId): string {
  return id.toString('hex');
}
