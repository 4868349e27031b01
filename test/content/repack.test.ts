import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { BlobStore } from '../../src/blobstore/blob-store.js';
import { LocalStore } from '../../src/blobstore/local-store.js';
import { NotFoundError } from '../../src/errors/domain-error.js';
import { pseudoRandom } from '../helpers/data.js';
import { openDrive, SMALL_CONTENT_ENV, streamOf, type OpenDrive } from '../helpers/drive.js';
import { tempDir } from '../helpers/temp.js';
import { crashEnv, openCrashDrive } from '../fixtures/crash-drive.js';
import { defer } from '../helpers/cleanup.js';
import { assertConsistent, MANUAL, purge, readFile, storeObjects, writeFlushed } from '../helpers/repack.js';

describe('repacking', () => {
  test('small packs from many flushes are merged; files read back; the store holds fewer objects; twice is a no-op', async () => {
    const drive = await openDrive({ ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' }, { repack: MANUAL });
    const { app } = drive;
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 20; i++) {
      const data = pseudoRandom(20_000 + i * 15_000, 500 + i);
      files.set(`/f${i}.bin`, data);
      await writeFlushed(drive, `/f${i}.bin`, data);
    }
    const before = await storeObjects(app);
    assert.equal(before.length, 20, 'one small pack per flush');
    const liveBefore = await app.db
      .selectFrom('packs')
      .select(({ fn }) => fn.sum<number>('live_bytes').as('live'))
      .executeTakeFirstOrThrow();

    const report = await app.engine.repack();
    assert.equal(report.packsRead, 20);
    assert.equal(report.packsRetired, 20);
    assert.equal(report.packsDeleted, 20);
    assert.equal(report.bytesMoved, Number(liveBefore.live));
    const after = await storeObjects(app);
    assert.equal(after.length, report.packsWritten);
    assert.ok(after.length <= 2, `${after.length} packs hold ${report.bytesMoved} bytes (PACK_SIZE 4 MiB)`);
    assert.ok(
      after.every((key) => !before.includes(key)),
      'the old packs are gone from the store',
    );
    assert.equal((await app.db.selectFrom('packs').select('id').execute()).length, after.length);
    await assertConsistent(app);
    for (const [path, data] of files)
      assert.ok((await readFile(drive, path)).equals(data), `${path} differs`);

    const again = await app.engine.repack();
    assert.deepEqual(again, {
      packsRead: 0,
      packsWritten: 0,
      bytesMoved: 0,
      packsRetired: 0,
      packsDeleted: 0,
    });
    assert.deepEqual(await storeObjects(app), after);
  });

  test('a mostly dead pack is rewritten, a dead one only deleted, and deleted content is not revived', async () => {
    const drive = await openDrive({ ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' }, { repack: MANUAL });
    const { app } = drive;
    const big = pseudoRandom(2_500_000, 61);
    const kept = pseudoRandom(700_000, 62);
    const gone = pseudoRandom(1_500_000, 63);
    // One pack of 3.2 MiB that will be mostly dead, and one that will be all dead.
    await app.drive.files.write(drive.admin, '/big.bin', streamOf(big));
    await writeFlushed(drive, '/kept.bin', kept);
    await writeFlushed(drive, '/gone.bin', gone);
    assert.equal((await storeObjects(app)).length, 2);
    await purge(drive, '/big.bin');
    await purge(drive, '/gone.bin');

    const report = await app.engine.repack();
    assert.equal(report.packsRead, 1, 'only the mostly dead pack is read');
    assert.equal(report.packsWritten, 1);
    assert.equal(report.packsRetired, 2);
    assert.equal(report.packsDeleted, 2);
    const stored = await app.db.selectFrom('chunks').select(['stored_length']).execute();
    assert.equal(
      report.bytesMoved,
      stored.reduce((sum, c) => sum + c.stored_length, 0),
      'only the live chunks moved; dead ones are forgotten',
    );
    assert.equal((await storeObjects(app)).length, 1);
    await assertConsistent(app);
    assert.ok((await readFile(drive, '/kept.bin')).equals(kept));
    await assert.rejects(app.drive.files.open(drive.admin, '/big.bin'), NotFoundError);

    // The same bytes again are stored anew, not found in a pack that is gone.
    await writeFlushed(drive, '/big-again.bin', big);
    assert.ok((await readFile(drive, '/big-again.bin')).equals(big));
    await assertConsistent(app);
  });

  test('a file deleted while its pack is being repacked stays deleted', async () => {
    const dir = tempDir('hubdrive-repack-store');
    const inner = await LocalStore.open({ dir });
    let pause: { reached: () => void; release: Promise<void> } | null = null;
    const store: BlobStore = {
      kind: inner.kind,
      limits: inner.limits,
      readInto: (key, position, target) => inner.readInto(key, position, target),
      get: (key, range) => inner.get(key, range),
      stat: (key) => inner.stat(key),
      list: (prefix) => inner.list(prefix),
      put: (key, source) => inner.put(key, source),
      delete: (keys) => inner.delete(keys),
      close: () => inner.close(),
      async commit(message) {
        const held = pause;
        pause = null;
        if (held) {
          held.reached();
          await held.release;
        }
        return inner.commit(message);
      },
    };
    const drive = await openDrive(
      { ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' },
      { store, repack: MANUAL },
    );
    const { app, admin } = drive;
    const stays = pseudoRandom(300_000, 71);
    const doomed = pseudoRandom(400_000, 72);
    await writeFlushed(drive, '/stays.bin', stays);
    await writeFlushed(drive, '/doomed.bin', doomed);
    const usedBefore = (await app.drive.users.get(admin.id)).usedBytes;

    let reached!: () => void;
    const atCommit = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    pause = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
    const run = app.engine.repack();
    await atCommit; // the new pack is being committed; the index still points at the old packs
    await purge(drive, '/doomed.bin');
    release();
    const report = await run;
    assert.equal(report.packsRetired, 2);

    await assert.rejects(app.drive.files.open(admin, '/doomed.bin'), NotFoundError);
    assert.equal((await app.drive.users.get(admin.id)).usedBytes, usedBefore - doomed.length);
    assert.deepEqual((await app.drive.trash.list(admin)).items, []);
    await assertConsistent(app);
    assert.ok((await readFile(drive, '/stays.bin')).equals(stays));
    const [pack] = await app.db.selectFrom('packs').selectAll().execute();
    assert.equal(pack!.live_bytes, stays.length, 'the new pack counts only the live file');
  });

  test('a read that looked its chunks up before the move finishes from their new place', async () => {
    // Packs of 64 MiB: the 6 MiB file's pack is small, and merged with another small one.
    const drive = await openDrive(
      { ...SMALL_CONTENT_ENV, PACK_SIZE: '64MiB', STAGING_LIMIT: '256MiB', FLUSH_INTERVAL: '3600' },
      { repack: MANUAL },
    );
    const { app, admin } = drive;
    const data = pseudoRandom(6 * 1024 * 1024, 81);
    await writeFlushed(drive, '/movie.bin', data);
    await writeFlushed(drive, '/other.bin', pseudoRandom(100_000, 82));
    const oldKeys = await storeObjects(app);

    const file = await app.drive.files.open(admin, '/movie.bin');
    const leases = file.leases()[Symbol.asyncIterator]();
    const parts: Buffer[] = [];
    const first = await leases.next();
    assert.ok(!first.done);
    parts.push(Buffer.from(first.value.data));
    first.value.release();

    const report = await app.engine.repack();
    assert.equal(report.packsDeleted, 2);
    for (const key of oldKeys) assert.equal(await app.store.stat(key), null, `${key} is deleted`);

    for (let next = await leases.next(); !next.done; next = await leases.next()) {
      parts.push(Buffer.from(next.value.data));
      next.value.release();
    }
    assert.ok(Buffer.concat(parts).equals(data), 'the read completes byte-exact');
  });

  test('the engine repacks by itself once enough small packs wait', async () => {
    const drive = await openDrive(
      { ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' },
      { repack: { graceMs: 0 } },
    );
    const { app } = drive;
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 12; i++) {
      const data = pseudoRandom(30_000, 900 + i);
      files.set(`/t${i}.bin`, data);
      await writeFlushed(drive, `/t${i}.bin`, data);
    }
    await app.engine.repackSettled();
    const objects = await storeObjects(app);
    assert.ok(objects.length < 8, `${objects.length} packs after 12 flushes`);
    await assertConsistent(app);
    for (const [path, data] of files)
      assert.ok((await readFile(drive, path)).equals(data), `${path} differs`);
  });

  for (const crashAt of [
    'mid-copy',
    'before-new-commit',
    'after-new-commit',
    'before-delete-commit',
    'after-delete-commit',
  ]) {
    test(`killed during a repack (${crashAt}): nothing is lost, and the next run leaves no orphan`, async () => {
      const dataDir = tempDir('hubdrive-repack-crash');
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', path.resolve('test/fixtures/repack-crash-writer.ts'), dataDir, crashAt],
        { encoding: 'utf8' },
      );
      assert.equal(
        child.signal,
        'SIGKILL',
        `the writer should die by SIGKILL; ${child.stdout} ${child.stderr}`,
      );
      const acked = child.stdout
        .split('\n')
        .filter((line) => line.startsWith('ACK '))
        .map((line) => line.split(' '))
        .map(([, file, seed, size]) => ({ file: file!, seed: Number(seed), size: Number(size) }));
      assert.equal(acked.length, 5);

      const { app, admin } = await openCrashDrive(crashEnv(dataDir), { repack: MANUAL });
      defer(() => app.close());
      const drive: OpenDrive = { app, admin, dataDir, close: () => app.close() };
      await assertConsistent(app);
      const readBack = async () => {
        for (const { file, seed, size } of acked) {
          assert.ok((await readFile(drive, file)).equals(pseudoRandom(size, seed)), `${file} differs`);
        }
      };
      await readBack();

      await app.engine.repack();
      await assertConsistent(app);
      await readBack();
      const known = await app.db.selectFrom('packs').select(['key', 'retired_at']).execute();
      assert.ok(known.every((p) => p.retired_at === null));
      assert.deepEqual(await storeObjects(app), known.map((p) => p.key!).sort(), 'no orphan pack is left');
    });
  }
});
