import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { OpenPack } from '../../src/content/open-pack.js';
import { decodeFooter, decodeTrailer, FOOTER_BYTES } from '../../src/content/pack-format.js';
import { tempDir } from '../helpers/temp.js';

describe('the open pack', () => {
  test('a seal that starts while group fsyncs are queued lets every one of them succeed', async () => {
    const dir = tempDir();
    for (let round = 0; round < 100; round++) {
      const pack = await OpenPack.create(round, path.join(dir, `${round}.pack`), 0, 0);
      const a = randomBytes(64 * 1024);
      const b = randomBytes(64 * 1024);
      pack.append(randomBytes(32), a, a.length);
      const first = pack.sync();
      pack.append(randomBytes(32), b, b.length);
      const queued = pack.sync();
      const sealed = pack.seal();
      const late = pack.sync();
      const results = await Promise.allSettled([first, queued, sealed, late]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'],
        `round ${round}: ${results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')).join(', ')}`,
      );
      const bytes = readFileSync(path.join(dir, `${round}.pack`));
      const footer = decodeFooter(bytes.subarray(bytes.length - FOOTER_BYTES));
      const entries = decodeTrailer(
        bytes.subarray(footer.trailerOffset, footer.trailerOffset + footer.trailerLength),
      );
      assert.equal(entries.length, 2);
      assert.ok(bytes.subarray(entries[0]!.offset, entries[0]!.offset + a.length).equals(a));
      assert.ok(bytes.subarray(entries[1]!.offset, entries[1]!.offset + b.length).equals(b));
    }
  });
});
