import { createCipheriv } from 'node:crypto';
import { Readable } from 'node:stream';

const PIECE = 256 * 1024;

/**
 * `length` reproducible pseudo-random bytes from `seed` (an AES-CTR keystream, cheap to make), as a
 * stream. Bytes [from, to) of the sequence can be produced on their own, for edited copies.
 */
export function randomStream(seed: number, length: number, from = 0): Readable {
  const key = Buffer.alloc(32);
  key.writeUInt32LE(seed, 0);
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(Math.floor(from / 16)), 8);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  const zeros = Buffer.alloc(PIECE + 16);
  let skip = from % 16;
  let left = length;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(PIECE, left);
      const out = cipher.update(zeros.subarray(0, n + skip)).subarray(skip);
      skip = 0;
      left -= n;
      this.push(out);
    },
  });
}

/** Concatenates streams in order. */
export function concatStreams(parts: (() => Readable)[]): Readable {
  return Readable.from(
    (async function* () {
      for (const make of parts) for await (const piece of make()) yield piece as Buffer;
    })(),
    { objectMode: false },
  );
}
