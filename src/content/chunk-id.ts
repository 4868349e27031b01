import { webcrypto } from 'node:crypto';

/** A chunk's id: 32 bytes, SHA-256 of its plain bytes (HMAC-SHA-256 under the data key once encrypted). */
export type ChunkId = Buffer;

export const CHUNK_ID_BYTES = 32;

export interface ChunkHasher {
  /** Computes a chunk id off the main thread (WebCrypto runs in libuv's thread pool). */
  id(data: Uint8Array): Promise<ChunkId>;
}

export const sha256ChunkHasher: ChunkHasher = {
  async id(data) {
    return Buffer.from(await webcrypto.subtle.digest('SHA-256', data));
  },
};

export function chunkIdHex(id: ChunkId): string {
  return id.toString('hex');
}
