import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { BlobStore } from '../../src/blobstore/blob-store.js';
import { LocalStore } from '../../src/blobstore/local-store.js';
import { pseudoRandom } from '../helpers/data.js';
import { openDrive, SMALL_CONTENT_ENV, streamOf, type OpenDrive } from '../helpers/drive.js';
import {
  assertConsistent,
  gate,
  hookedStore,
  MANUAL,
  purge,
  readFile,
  storeObjects,
  writeFlushed,
} from '../helpers/repack.js';
import { tempDir } from '../helpers/temp.js';

async function packKeys(drive: OpenDrive): Promise<(string | null)[]> {
  const rows = await drive.app.db.selectFrom('packs').select('key').orderBy('id').execute();
  return rows.map((r) => r.key);
}

/**
 * A local store whose first stat of a key `watch` names waits at the returned gate: the repacker
 * stats a retired pack's key after choosing to delete it and before asking for the deletion.
 * `paced` makes its commits scarce, like the Hub's (a deletion then waits for FLUSH_INTERVAL).
 */
async function gatedStore(paced: boolean): Promise<{
  store: BlobStore;
  dir: string;
  watch(key: string): ReturnType<typeof gate>;
}> {
  const dir = tempDir('hubdrive-repack-races');
  const inner = await LocalStore.open({ dir, limits: paced ? { commitsPerHour: 1000 } : {} });
  let watched: { key: string; gate: ReturnType<typeof gate> } | null = null;
  const store = hookedStore(inner, {
    async stat(key) {
      const hit = watched?.key === key ? watched : null;
      if (hit) {
        watched = null;
        await hit.gate.arrive();
      }
      return inner.stat(key);
    },
  });
  return {
    store,
    dir,
    watch(key) {
      watched = { key, gate: gate() };
      return watched.gate;
    },
  };
}

describe('repacking races', () => {
  test('a deleted file uploaded again while its old pack is being deleted: the new pack (same bytes, same key) survives', async () => {
    const { store, watch } = await gatedStore(false);
    const drive = await openDrive(
      { ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' },
      { store, repack: MANUAL },
    );
    const data = pseudoRandom(300_000, 4401);
    await writeFlushed(drive, '/a.bin', data);
    const [key] = await packKeys(drive);
    await purge(drive, '/a.bin');

    const atDelete = watch(key!);
    const run = drive.app.engine.repack();
    await atDelete.reached; // the old pack is retired and chosen for deletion
    await writeFlushed(drive, '/again.bin', data);
    assert.deepEqual(await packKeys(drive), [key, key], 'the same bytes make a pack with the same key');
    atDelete.open();
    await run;

    await assertConsistent(drive.app);
    assert.ok((await readFile(drive, '/again.bin')).equals(data));
    // A later run forgets the retired twin and keeps the object.
    await drive.app.engine.repack();
    assert.deepEqual(await packKeys(drive), [key]);
    assert.deepEqual(await storeObjects(drive.app), [key]);
    await assertConsistent(drive.app);
  });

  test('a pack with the key of a retired pack rides the commit that deletes that key: the pack survives', async () => {
    const { store, watch } = await gatedStore(true);
    const drive = await openDrive(
      { ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' },
      { store, repack: MANUAL },
    );
    const data = pseudoRandom(300_000, 4402);
    await writeFlushed(drive, '/a.bin', data);
    const [key] = await packKeys(drive);
    await purge(drive, '/a.bin');

    const atDelete = watch(key!);
    const run = drive.app.engine.repack();
    await atDelete.reached;
    atDelete.open();
    // The deletion now waits for a commit (paced); the same file again is written meanwhile, and
    // its flush commits its pack together with the deletion.
    await drive.app.drive.files.write(drive.admin, '/again.bin', streamOf(data));
    await drive.app.engine.flush();
    await run;

    await assertConsistent(drive.app);
    assert.ok((await readFile(drive, '/again.bin')).equals(data));
  });

  test(
    'shutdown while a run waits for its deletions to be committed does not wait for the paced commit',
    { timeout: 60_000 },
    async () => {
      const { store, dir, watch } = await gatedStore(true);
      const env = { ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' };
      const drive = await openDrive(env, { store, repack: MANUAL });
      await writeFlushed(drive, '/a.bin', pseudoRandom(300_000, 4403));
      const kept = pseudoRandom(200_000, 4404);
      await writeFlushed(drive, '/kept.bin', kept);
      const [key] = await packKeys(drive);
      await purge(drive, '/a.bin');
      // Acknowledged, not yet in the store: shutdown must flush it.
      const late = pseudoRandom(100_000, 4405);
      await drive.app.drive.files.write(drive.admin, '/late.bin', streamOf(late));

      const atDelete = watch(key!);
      const run = drive.app.engine.repack();
      run.catch(() => undefined);
      await atDelete.reached;
      atDelete.open();
      // The run now waits for its deletion's commit, which the store's pacing puts an hour away.
      await drive.close();
      await assert.rejects(run);

      const staged = readdirSync(path.join(drive.dataDir, 'staging')).filter((n) => n.endsWith('.pack'));
      assert.deepEqual(staged, [], 'shutdown flushed everything');

      const again = await openDrive(
        { ...env, DATA_DIR: drive.dataDir },
        { store: await LocalStore.open({ dir }), repack: MANUAL },
      );
      await assertConsistent(again.app);
      assert.ok((await readFile(again, '/kept.bin')).equals(kept));
      assert.ok((await readFile(again, '/late.bin')).equals(late));
      await again.app.engine.repack();
      assert.ok(!(await packKeys(again)).includes(key!), 'the retired pack is forgotten');
      assert.ok(!(await storeObjects(again.app)).includes(key!), 'and gone from the store');
      await assertConsistent(again.app);
    },
  );
});
