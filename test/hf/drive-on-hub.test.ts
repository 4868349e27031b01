import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Hubdrive } from '../../src/app/hubdrive.js';
import type { BlobStore } from '../../src/blobstore/blob-store.js';
import type { User } from '../../src/drive/users.js';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { openDrive, readAll, SMALL_CONTENT_ENV, streamOf } from '../helpers/drive.js';
import { HUB_TOKEN, hubEnv, hubStore, startHub } from '../helpers/hub.js';
import { hookedStore } from '../helpers/repack.js';

const MiB = 1024 * 1024;

/** Writes one large file and many small ones through the drive, then checks every byte. */
async function roundTrip(app: Hubdrive, admin: User, large: number, small: number): Promise<void> {
  const big = pseudoRandom(large, 1);
  await app.drive.files.write(admin, '/big.bin', streamOf(big, MiB));
  await app.drive.tree.mkdir(admin, '/small');
  for (let i = 0; i < small; i++) {
    await app.drive.files.write(admin, `/small/f${i}.bin`, streamOf(pseudoRandom(4096, 10_000 + i)));
  }
  await app.engine.flush();
  const listed = await app.drive.tree.list(admin, '/small', { limit: 1000 });
  assert.equal(listed.entries.length, Math.min(small, 1000));
  assert.ok(
    (await readAll((await app.drive.files.open(admin, '/big.bin')).stream())).equals(big),
    'the large file differs',
  );
  for (let i = 0; i < small; i += 97) {
    const got = await readAll((await app.drive.files.open(admin, `/small/f${i}.bin`)).stream());
    assert.ok(got.equals(pseudoRandom(4096, 10_000 + i)), `/small/f${i}.bin differs`);
  }
}

async function countObjects(
  store: BlobStore,
): Promise<{ packs: number; snapshots: number; segments: number }> {
  const count = async (prefix: string) => {
    let n = 0;
    for await (const _ of store.list(prefix)) n++;
    return n;
  };
  return {
    packs: await count('packs/'),
    snapshots: await count('meta/snapshot/'),
    segments: await count('meta/journal/'),
  };
}

describe('the drive on STORE=hf', () => {
  test('files go up and come back byte-exact, in few commits, with no folder over 10,000 entries', async () => {
    const hub = await startHub();
    const { app, admin } = await openDrive({ ...hubEnv(hub, 'emulator/drive-a'), FLUSH_INTERVAL: '3600' });
    const files = 1500;
    await roundTrip(app, admin, 200 * MiB, files);
    const stats = await hub.stats('emulator/drive-a');
    // hubdrive.json's commit, then the packs: 64 MiB packs, at most 100 files per commit.
    assert.ok(stats.commits <= 1 + Math.ceil(files / 100), `${stats.commits} commits for ${files} files`);
    assert.ok(stats.largestFolder <= 10_000);
    const uniqueBytes = 200 * MiB + files * 4096;
    const objects = await countObjects(app.store);
    // One pack per 64 MiB of unique data, one more per flush.
    assert.ok(objects.packs <= Math.ceil(uniqueBytes / (64 * MiB)) + 2, `${objects.packs} packs in the repo`);
    // The metadata: at most two snapshots (and one on its way), a journal segment per commit.
    assert.ok(objects.snapshots <= 3, `${objects.snapshots} snapshots`);
    assert.ok(objects.segments <= stats.commits, `${objects.segments} journal segments`);
    // Besides those, hubdrive.json and the .gitattributes of LFS.
    assert.ok(
      stats.files - objects.packs - objects.snapshots - objects.segments <= 2,
      `${stats.files} objects in the repo`,
    );
  });

  test('with 10% of Hub requests failing (429, 5xx, resets), nothing is lost', async () => {
    const hub = await startHub();
    const { app, admin } = await openDrive({ ...hubEnv(hub, 'emulator/drive-b'), FLUSH_INTERVAL: '3600' });
    hub.setFaults({ errorRate: 0.07, errorStatuses: [429, 500, 503], resetRate: 0.03, seed: 11 });
    await roundTrip(app, admin, 80 * MiB, 300);
    hub.setFaults({});
  });

  test('1,000 small files PUT one after another: no client waits for a commit; then few commits', async () => {
    const hub = await startHub({ commitsPerHour: 128 });
    const { url, app } = await startApp({ ...hubEnv(hub, 'emulator/drive-c'), FLUSH_INTERVAL: '600' });
    const client = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
    const before = (await hub.stats('emulator/drive-c')).commits;
    for (let i = 0; i < 1000; i++) {
      assert.equal((await client.upload(`/s${i}.txt`, `small file ${i}`)).status, 201);
    }
    assert.equal((await hub.stats('emulator/drive-c')).commits, before, 'no upload waited for a Hub commit');
    await app.engine.flush();
    const commits = (await hub.stats('emulator/drive-c')).commits - before;
    assert.ok(commits >= 1 && commits <= 10, `${commits} commits for 1,000 files`);
    assert.equal((await client.download('/s999.txt')).bytes.toString(), 'small file 999');
    // The admin's store status: the repo's bytes on the Hub, and the free plan's private quota.
    const store = (await client.request('GET', '/admin/store')).body as {
      usage: { usedBytes: number; quotaBytes: number };
    };
    assert.equal(store.usage.usedBytes, (await hub.stats('emulator/drive-c')).storageBytes);
    assert.equal(store.usage.quotaBytes, 100 * 1000 ** 3);
  });

  test('with the commit budget spent, writes are still acknowledged and read back; shutdown commits them', async () => {
    const hub = await startHub();
    const env = { ...hubEnv(hub, 'emulator/drive-e'), HF_COMMITS_PER_HOUR: '2', FLUSH_INTERVAL: '1' };
    const { app, admin, close } = await openDrive(env);
    // hubdrive.json took one commit; one more is left this hour.
    for (let i = 0; i < 3; i++) {
      await app.drive.files.write(admin, `/w${i}.bin`, streamOf(pseudoRandom(100_000, 60 + i)));
      await new Promise((resolve) => setTimeout(resolve, 2500));
    }
    const status = app.engine.status();
    assert.equal(status.commitsLeftThisHour, 0);
    assert.ok(status.pendingBytes > 0, 'some writes wait in staging for the budget');
    for (let i = 0; i < 3; i++) {
      const got = await readAll((await app.drive.files.open(admin, `/w${i}.bin`)).stream());
      assert.ok(got.equals(pseudoRandom(100_000, 60 + i)));
    }
    const before = (await hub.stats('emulator/drive-e')).commits;
    await close();
    assert.ok((await hub.stats('emulator/drive-e')).commits > before, 'shutdown committed what was waiting');
    const again = await openDrive({ ...env, DATA_DIR: app.config.dataDir });
    const pending = await again.app.db
      .selectFrom('packs')
      .select('state')
      .where('state', '!=', 'committed')
      .execute();
    assert.deepEqual(pending, []);
  });

  test('WRITE_MODE=durable answers only once the content, and its metadata, are committed to the repo', async () => {
    const hub = await startHub();
    const { app, admin } = await openDrive({
      ...hubEnv(hub, 'emulator/drive-d'),
      WRITE_MODE: 'durable',
      FLUSH_INTERVAL: '3600',
    });
    await app.drive.files.write(admin, '/durable.bin', streamOf(pseudoRandom(3 * MiB, 3)));
    const pending = await app.db
      .selectFrom('packs')
      .select('state')
      .where('state', '!=', 'committed')
      .execute();
    assert.deepEqual(pending, []);
    assert.equal(app.engine.status().pendingBytes, 0);
    // The metadata that names the file is in the repo too: a wiped disk would keep it.
    assert.equal((await app.replicator.status()).oldestPendingAt, null);
  });

  test('packs whose uploads the Hub dropped before their commit are uploaded again, and nothing is lost', async () => {
    let clock = Date.now();
    const hub = await startHub({ now: () => clock });
    const repo = 'emulator/drive-f';
    const { app, admin } = await openDrive({
      ...hubEnv(hub, repo),
      ...SMALL_CONTENT_ENV,
      FLUSH_INTERVAL: '3600',
    });
    const data = pseudoRandom(14 * MiB, 5);
    await app.drive.files.write(admin, '/kept.bin', streamOf(data, MiB));
    // Full packs are uploaded at once; their commit waits for the flush interval.
    const unstored = () => app.db.selectFrom('packs').select('id').where('state', '=', 'sealed').execute();
    while ((await unstored()).length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await hub.stats(repo)).lfsObjects, 3, 'three full packs are uploaded, not committed');
    // Two hours on, a squash releases uploads that no commit referenced in time.
    clock += 2 * 3_600_000;
    const squash = await fetch(`${hub.url}/api/datasets/${repo}/super-squash/main`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${HUB_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'squash' }),
    });
    assert.equal(squash.status, 200);
    assert.equal((await hub.stats(repo)).lfsObjects, 0);
    await app.engine.flush();
    assert.ok((await hub.stats(repo)).lfsObjects >= 3, 'the packs were uploaded again and committed');
    const got = await readAll((await app.drive.files.open(admin, '/kept.bin')).stream());
    assert.ok(got.equals(data), 'the file reads back byte-exact from the repo');
    assert.equal(app.engine.status().pendingBytes, 0);
  });

  test('no commit carries more packs than the store allows, however far the uploads run ahead', async () => {
    const hub = await startHub();
    const { store: inner, repo } = await hubStore(hub, { limits: { maxOperationsPerCommit: 3 } });
    const carried: number[] = [];
    const store = hookedStore(inner, {
      async commit(message) {
        const result = await inner.commit(message);
        carried.push(result.puts + result.deletes);
        return result;
      },
    });
    const { app, admin } = await openDrive(
      { ...hubEnv(hub, repo), ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' },
      { store },
    );
    const data = pseudoRandom(40 * MiB, 6);
    await app.drive.files.write(admin, '/many-packs.bin', streamOf(data, MiB));
    await app.engine.flush();
    assert.ok(carried.filter((n) => n > 0).length >= 4, `commits carried ${carried.join(', ')}`);
    assert.ok(
      carried.every((n) => n <= 3),
      `commits carried ${carried.join(', ')}`,
    );
    const got = await readAll((await app.drive.files.open(admin, '/many-packs.bin')).stream());
    assert.ok(got.equals(data));
  });

  test('a restart (even on a wiped disk) spends only what is left of the commit budget of the hour', async () => {
    const hub = await startHub();
    const repo = 'emulator/drive-g';
    const env = { ...hubEnv(hub, repo), HF_COMMITS_PER_HOUR: '10' };
    const first = await openDrive(env);
    for (let i = 0; i < 3; i++) {
      await first.app.drive.files.write(first.admin, `/r${i}.bin`, streamOf(pseudoRandom(50_000, 70 + i)));
      await first.app.engine.flush();
    }
    await first.close();
    const made = (await hub.stats(repo)).commits;
    assert.ok(made >= 4, `${made} commits`);
    const again = await openDrive(env);
    assert.equal(again.app.engine.status().commitsLeftThisHour, Math.max(0, 10 - made));
  });
});
