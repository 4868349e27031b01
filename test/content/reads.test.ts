import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { pseudoRandom } from '../helpers/data.js';
import { openDrive, readAll, SMALL_CONTENT_ENV, streamOf, localStoreDir } from '../helpers/drive.js';
import { IntegrityError } from '../../src/errors/domain-error.js';

/** Byte offsets worth reading around: both ends, every chunk border, every pack border, and random. */
async function interestingRanges(app: Awaited<ReturnType<typeof openDrive>>['app'], size: number) {
  const chunks = await app.db.selectFrom('chunks').select(['pack_id', 'offset', 'plain_length']).execute();
  const manifest = await app.db.selectFrom('manifests').select('chunks').executeTakeFirstOrThrow();
  const borders: number[] = [];
  let at = 0;
  for (let i = 0; i < manifest.chunks.length; i += 36) {
    at += manifest.chunks.readUInt32LE(i + 32);
    borders.push(at);
  }
  const ranges: [number, number][] = [
    [0, 0],
    [size - 1, size - 1],
    [0, size - 1],
  ];
  for (const b of borders.slice(0, -1)) {
    ranges.push([b - 1, b], [b, b], [Math.max(0, b - 5000), Math.min(size - 1, b + 5000)]);
  }
  for (let i = 0; i < 150; i++) {
    const start = Math.floor(Math.random() * size);
    const end = Math.min(size - 1, start + Math.floor(Math.random() * 3 * 1024 * 1024));
    ranges.push([start, end]);
  }
  return { ranges, chunks: chunks.length, packs: new Set(chunks.map((c) => c.pack_id)).size };
}

describe('reading content', () => {
  test('random ranges are byte-exact across chunk and pack borders, from staging and from the store', async () => {
    const { app, admin } = await openDrive({ ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' });
    const data = pseudoRandom(20 * 1024 * 1024 + 333, 7);
    await app.drive.files.write(admin, '/big.bin', streamOf(data));
    const { ranges, chunks, packs } = await interestingRanges(app, data.length);
    assert.ok(chunks > 40, `expected many chunks, got ${chunks}`);
    assert.ok(packs >= 4, `expected several packs, got ${packs}`);

    const check = async (when: string) => {
      const file = await app.drive.files.open(admin, '/big.bin');
      for (const [start, end] of ranges) {
        const got = await readAll(file.stream({ start, end }));
        assert.ok(got.equals(data.subarray(start, end + 1)), `${when}: bytes ${start}-${end} differ`);
      }
    };
    const states = await app.db.selectFrom('packs').select('state').execute();
    assert.ok(
      states.some((s) => s.state !== 'committed'),
      'some pack should still be in staging',
    );
    await check('before the flush');
    await app.engine.flush();
    const after = await app.db.selectFrom('packs').select('state').execute();
    assert.ok(after.every((s) => s.state === 'committed'));
    await check('after the flush');
  });

  test('a zero-length file reads back empty', async () => {
    const { app, admin } = await openDrive(SMALL_CONTENT_ENV);
    const { entry } = await app.drive.files.write(admin, '/empty', streamOf(Buffer.alloc(0)));
    assert.equal(entry.size, 0);
    const file = await app.drive.files.open(admin, '/empty');
    assert.equal(file.size, 0);
    assert.equal((await readAll(file.stream())).length, 0);
  });

  test('a flipped byte in a committed pack fails the read with an integrity error', async () => {
    const { app, admin } = await openDrive(SMALL_CONTENT_ENV);
    const data = pseudoRandom(3 * 1024 * 1024, 11);
    await app.drive.files.write(admin, '/victim.bin', streamOf(data));
    await app.engine.flush();
    const pack = await app.db
      .selectFrom('packs')
      .selectAll()
      .where('state', '=', 'committed')
      .executeTakeFirstOrThrow();
    const chunk = await app.db
      .selectFrom('chunks')
      .selectAll()
      .where('pack_id', '=', pack.id)
      .orderBy('offset')
      .executeTakeFirstOrThrow();
    const file = path.join(localStoreDir(app), ...pack.key!.split('/'));
    const handle = await fs.open(file, 'r+');
    const one = Buffer.alloc(1);
    const at = chunk.offset + Math.floor(chunk.stored_length / 2);
    await handle.read(one, 0, 1, at);
    one[0] = one[0]! ^ 0x01;
    await handle.write(one, 0, 1, at);
    await handle.close();

    const opened = await app.drive.files.open(admin, '/victim.bin');
    await assert.rejects(readAll(opened.stream()), (error: unknown) => {
      assert.ok(error instanceof IntegrityError);
      assert.match(error.message, /failed verification/);
      return true;
    });
  });

  test('a flipped byte in a staging pack fails the read too', async () => {
    const { app, admin, dataDir } = await openDrive({ ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' });
    await app.drive.files.write(admin, '/staged.bin', streamOf(pseudoRandom(512 * 1024, 12)));
    const pack = await app.db.selectFrom('packs').selectAll().executeTakeFirstOrThrow();
    assert.notEqual(pack.state, 'committed');
    const file = path.join(dataDir, 'staging', `${pack.id}.pack`);
    const bytes = await fs.readFile(file);
    bytes[100] = bytes[100]! ^ 0x80;
    await fs.writeFile(file, bytes);
    const opened = await app.drive.files.open(admin, '/staged.bin');
    await assert.rejects(readAll(opened.stream({ start: 0, end: 10 })), IntegrityError);
  });
});
