import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { FastCdc } from '../../src/content/fastcdc.js';
import { pseudoRandom as bytes } from '../helpers/data.js';

const SMALL = { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 };
const DEFAULT = { min: 512 * 1024, avg: 2 * 1024 * 1024, max: 8 * 1024 * 1024 };

/** Cuts `data` fed in pieces of the given sizes; returns the chunks as views of `data`. */
function split(data: Buffer, params: typeof SMALL, pieces: (i: number) => number): Buffer[] {
  const cdc = new FastCdc(params);
  const chunks: Buffer[] = [];
  let chunkStart = 0;
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const piece = data.subarray(at, at + Math.max(1, pieces(i)));
    for (const cut of cdc.cuts(piece)) {
      chunks.push(data.subarray(chunkStart, at + cut));
      chunkStart = at + cut;
    }
    at += piece.length;
  }
  assert.equal(cdc.pending, data.length - chunkStart, 'pending is the unfinished tail');
  if (chunkStart < data.length) chunks.push(data.subarray(chunkStart));
  return chunks;
}

function chunkSizes(data: Buffer, params: typeof SMALL, pieces: (i: number) => number): number[] {
  return split(data, params, pieces).map((c) => c.length);
}

describe('FastCDC', () => {
  const data = bytes(24 * 1024 * 1024, 1);

  test('boundaries do not depend on how the input is split into buffers', () => {
    const whole = chunkSizes(data, SMALL, () => data.length);
    assert.ok(whole.length > 200, `expected many chunks, got ${whole.length}`);
    const splits: [string, (i: number) => number][] = [
      ['1 byte then 64 KiB', (i) => (i % 2 === 0 ? 1 : 65536)],
      ['7 bytes', (i) => (i < 5000 ? 7 : 1 << 20)],
      ['odd primes', (i) => [4093, 65537, 3, 131071][i % 4]!],
      ['random', () => 1 + Math.floor(Math.random() * 300_000)],
      ['exactly min', () => SMALL.min],
      ['exactly max', () => SMALL.max],
    ];
    for (const [name, split] of splits) {
      assert.deepEqual(chunkSizes(data, SMALL, split), whole, `split "${name}" moved a boundary`);
    }
  });

  test('boundaries with the default sizes are split-independent too', () => {
    const big = bytes(48 * 1024 * 1024, 2);
    const whole = chunkSizes(big, DEFAULT, () => big.length);
    assert.deepEqual(
      chunkSizes(big, DEFAULT, (i) => [65536, 1, 1000003][i % 3]!),
      whole,
    );
  });

  test('every chunk but the last is within min and max, and the chunks rebuild the input', () => {
    const chunks = split(data, SMALL, () => data.length);
    for (const chunk of chunks.slice(0, -1)) {
      assert.ok(chunk.length >= SMALL.min && chunk.length <= SMALL.max, `chunk of ${chunk.length} bytes`);
    }
    assert.ok(Buffer.concat(chunks).equals(data));
    const mean = data.length / chunks.length;
    assert.ok(mean > SMALL.avg * 0.7 && mean < SMALL.avg * 1.6, `mean chunk ${mean} far from ${SMALL.avg}`);
  });

  test('input that repeats one byte is cut at max', () => {
    const zeros = Buffer.alloc(SMALL.max * 3 + 5);
    assert.deepEqual(
      chunkSizes(zeros, SMALL, () => 100_000),
      [SMALL.max, SMALL.max, SMALL.max, 5],
    );
  });

  test('an insertion changes only the chunks around it', () => {
    const before = data;
    const at = 10 * 1024 * 1024;
    const after = Buffer.concat([before.subarray(0, at), randomBytes(1024), before.subarray(at)]);
    const cut = (buf: Buffer) => split(buf, SMALL, () => buf.length).map((c) => c.toString('base64'));
    const a = new Set(cut(before));
    const b = cut(after);
    const changed = b.filter((c) => !a.has(c)).length;
    assert.ok(changed <= 3, `${changed} chunks changed for one 1 KiB insertion`);
  });

  test('empty input gives no chunk', () => {
    const cdc = new FastCdc(SMALL);
    assert.deepEqual(cdc.cuts(Buffer.alloc(0)), []);
    assert.equal(cdc.pending, 0);
  });
});
