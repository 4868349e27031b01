import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Hubdrive } from '../../src/app/hubdrive.js';
import { pseudoRandom } from '../helpers/data.js';
import { openDrive, readAll, SMALL_CONTENT_ENV, streamOf } from '../helpers/drive.js';

/** Bytes of packs committed to the store, as the store itself lists them. */
async function packBytes(app: Hubdrive): Promise<{ bytes: number; objects: number }> {
  let bytes = 0;
  let objects = 0;
  for await (const object of app.store.list('packs/')) {
    bytes += object.size;
    objects++;
  }
  return { bytes, objects };
}

describe('deduplication and packing', () => {
  test('uploading the same 64 MiB twice grows the store by less than 1%; a copy adds nothing', async () => {
    const { app, admin } = await openDrive();
    const data = pseudoRandom(64 * 1024 * 1024, 21);
    await app.drive.files.write(admin, '/one.bin', streamOf(data, 1 << 20));
    await app.engine.flush();
    const first = await packBytes(app);
    assert.ok(first.bytes >= data.length, 'the first upload is stored');

    await app.drive.files.write(admin, '/two.bin', streamOf(data, 100_003));
    await app.engine.flush();
    const second = await packBytes(app);
    assert.ok(second.bytes - first.bytes < data.length / 100, `grew by ${second.bytes - first.bytes} bytes`);

    await app.drive.tree.copy(admin, '/one.bin', '/three.bin');
    await app.engine.flush();
    assert.deepEqual(await packBytes(app), second);
    const copy = await readAll((await app.drive.files.open(admin, '/three.bin')).stream());
    assert.ok(copy.equals(data));
  });

  test('a 1 MiB insertion into a 256 MiB file adds less than 16 MiB of pack bytes', async () => {
    const { app, admin } = await openDrive();
    const data = pseudoRandom(256 * 1024 * 1024, 22);
    await app.drive.files.write(admin, '/video.bin', streamOf(data, 1 << 20));
    await app.engine.flush();
    const before = await packBytes(app);
    const at = 100 * 1024 * 1024 + 12345;
    const edited = Buffer.concat([data.subarray(0, at), randomBytes(1024 * 1024), data.subarray(at)]);
    await app.drive.files.write(admin, '/video.bin', streamOf(edited, 1 << 20));
    await app.engine.flush();
    const added = (await packBytes(app)).bytes - before.bytes;
    assert.ok(added < 16 * 1024 * 1024, `added ${added} bytes`);
    const back = await readAll((await app.drive.files.open(admin, '/video.bin')).stream());
    assert.ok(back.equals(edited));
  });

  test('10,000 files of 4 KiB make a handful of packs, not one object per file', async () => {
    const { app, admin } = await openDrive({ FLUSH_INTERVAL: '3600' });
    await app.drive.tree.mkdir(admin, '/small');
    const files: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) {
      const data = pseudoRandom(4096, 100_000 + i);
      files.push(data);
      await app.drive.files.write(admin, `/small/f${i}.bin`, streamOf(data));
    }
    await app.engine.flush();
    const { objects } = await packBytes(app);
    assert.ok(objects >= 1 && objects <= 3, `${objects} pack objects for 10,000 small files`);
    for (const i of [0, 4999, 9999]) {
      const got = await readAll((await app.drive.files.open(admin, `/small/f${i}.bin`)).stream());
      assert.ok(got.equals(files[i]!));
    }
  });

  test('deleting everything and emptying the trash releases every reference and the quota', async () => {
    const { app, admin } = await openDrive({ ...SMALL_CONTENT_ENV, VERSIONS_KEEP: '2' });
    const shared = pseudoRandom(2 * 1024 * 1024, 30);
    await app.drive.tree.mkdir(admin, '/d');
    await app.drive.files.write(admin, '/d/a.bin', streamOf(shared));
    await app.drive.files.write(admin, '/d/b.bin', streamOf(shared));
    for (let v = 0; v < 5; v++)
      await app.drive.files.write(admin, '/d/v.bin', streamOf(pseudoRandom(300_000, 40 + v)));
    await app.drive.tree.copy(admin, '/d', '/e');

    const versions = await app.drive.versions.list(admin, '/d/v.bin');
    assert.equal(versions.length, 3, 'the current version and VERSIONS_KEEP=2 older ones');
    const me = await app.drive.users.get(admin.id);
    const expected = 2 * 2 * shared.length + 3 * 300_000 + 300_000;
    assert.equal(me.usedBytes, expected);

    const live = await app.db
      .selectFrom('packs')
      .select(({ fn }) => fn.sum<number>('live_bytes').as('live'))
      .executeTakeFirstOrThrow();
    assert.ok(Number(live.live) > 0);

    await app.drive.tree.remove(admin, '/d');
    await app.drive.tree.remove(admin, '/e');
    assert.equal((await app.drive.users.get(admin.id)).usedBytes, expected, 'the trash still counts');
    await app.drive.trash.empty(admin);

    assert.equal((await app.drive.users.get(admin.id)).usedBytes, 0);
    assert.deepEqual(await app.db.selectFrom('manifests').selectAll().execute(), []);
    assert.deepEqual(await app.db.selectFrom('versions').selectAll().execute(), []);
    const refs = await app.db.selectFrom('chunks').select('refcount').where('refcount', '!=', 0).execute();
    assert.deepEqual(refs, []);
    const packs = await app.db
      .selectFrom('packs')
      .select('live_bytes')
      .where('live_bytes', '!=', 0)
      .execute();
    assert.deepEqual(packs, []);
  });
});
