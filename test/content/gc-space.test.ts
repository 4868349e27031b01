import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startApp, ADMIN_PASSWORD } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { localStoreDir } from '../helpers/drive.js';
import {
  assertClean,
  assertKeptReadBack,
  deleteNinetyPercent,
  gc,
  uploadTwoGiB,
} from '../helpers/gc-scenario.js';
import { shmDir } from '../helpers/shm.js';

/** Bytes a folder takes on disk (allocated blocks), everything below it included. */
async function bytesOnDisk(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await bytesOnDisk(full);
    else total += (await fs.stat(full)).blocks * 512;
  }
  return total;
}

test('on a local folder: 2 GiB, 90% deleted, trash emptied, gc: the store takes at most 15% of the disk it took', async (t) => {
  const running = await startApp(
    { DATA_DIR: shmDir('data'), GC_INTERVAL: '0' },
    { repack: { graceMs: 2000 } },
  );
  const client = await ApiClient.login(running.url, 'admin', ADMIN_PASSWORD);
  const kept = await uploadTwoGiB(client, 9200);
  await running.app.engine.flush();
  const store = localStoreDir(running.app);
  const before = await bytesOnDisk(store);
  assert.ok(before >= 2 * 1024 ** 3, `${before} bytes on disk`);
  await assertClean(client);

  await deleteNinetyPercent(client);
  await assertClean(client);
  const report = await gc(client);
  const after = await bytesOnDisk(store);
  t.diagnostic(
    `store on disk: ${before} bytes before gc, ${after} after (${((100 * after) / before).toFixed(1)}%)`,
  );
  assert.ok(after <= 0.15 * before, `the store takes ${after} of ${before} bytes after gc`);
  assert.equal(report.historyReclaimed, false);
  await assertClean(client, { verify: true });
  await assertKeptReadBack(client, kept);
});
