import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pseudoRandom } from '../helpers/data.js';
import { openDrive, readAll, streamOf } from '../helpers/drive.js';
import { hubEnv, startHub } from '../helpers/hub.js';

const MiB = 1024 * 1024;
/** Small packs that make the engine repack by itself (its default). */
const THRESHOLD = 8;

describe('repacking on the Hub', () => {
  test('40 flushes of small files: packs are merged by themselves, objects stay bounded, all reads back', async () => {
    const hub = await startHub();
    const repo = 'emulator/repack-a';
    const { app, admin } = await openDrive(
      { ...hubEnv(hub, repo), FLUSH_INTERVAL: '1' },
      { repack: { threshold: THRESHOLD, graceMs: 0 } },
    );
    const files: Buffer[] = [];
    let unique = 0;
    const write = async (i: number) => {
      const data = pseudoRandom(20_000 + 1000 * i, 3000 + i);
      files[i] = data;
      unique += data.length;
      await app.drive.files.write(admin, `/f${i}.bin`, streamOf(data));
      await app.engine.flush();
    };
    for (let i = 0; i < 40; i++) await write(i);
    await app.engine.repackSettled();
    // A run deletes what it retired (grace 0 here) with a commit of the flusher's, paced like packs.
    const retired = await app.db
      .selectFrom('packs')
      .select('id')
      .where('retired_at', 'is not', null)
      .execute();
    assert.deepEqual(retired, [], 'the retired packs are deleted from the repo');
    const stats = await hub.stats(repo);
    // Without repacking, one pack per flush. With it: the packs of the data (one per 64 MiB) and the
    // flushes since the last run (fewer than the threshold), besides the metadata.
    const packObjects: string[] = [];
    for await (const object of app.store.list('packs/')) packObjects.push(object.key);
    const bound = Math.ceil(unique / (64 * MiB)) + THRESHOLD;
    assert.ok(
      packObjects.length <= bound,
      `${packObjects.length} packs in the repo after ${files.length} flushes (at most ${bound})`,
    );
    const known = await app.db.selectFrom('packs').select('key').execute();
    assert.deepEqual(
      packObjects.sort(),
      known.map((p) => p.key).sort(),
      'the repo holds the packs the catalog knows',
    );
    // The rest is metadata: journal segments (one per commit at most) and snapshots until the next
    // snapshot prunes them, hubdrive.json and the .gitattributes of LFS.
    let meta = 0;
    for await (const _ of app.store.list('meta/')) meta++;
    assert.ok(meta <= stats.commits + 3, `${meta} metadata objects for ${stats.commits} commits`);
    assert.ok(stats.files - packObjects.length - meta <= 2, `${stats.files} objects in the repo`);
    for (const [i, data] of files.entries()) {
      const got = await readAll((await app.drive.files.open(admin, `/f${i}.bin`)).stream());
      assert.ok(got.equals(data), `/f${i}.bin differs`);
    }
  });
});
