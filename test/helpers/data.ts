import { createCipheriv } from 'node:crypto';

/** Reproducible pseudo-random bytes (an AES-CTR keystream), for content that must not dedup by chance. */
export function pseudoRandom(length: number, seed: number): Buffer {
  const key = Buffer.alloc(32);
  key.writeUInt32LE(seed >>> 0, 0);
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}
