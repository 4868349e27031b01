import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startApp, ADMIN_PASSWORD } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import {
  assertClean,
  assertKeptReadBack,
  deleteNinetyPercent,
  gc,
  uploadTwoGiB,
} from '../helpers/gc-scenario.js';
import { hubEnv, startHub } from '../helpers/hub.js';
import { shmDir } from '../helpers/shm.js';

test('on the Hub: 2 GiB, 90% deleted, trash emptied, gc: the repo uses at most 15% of it; fsck clean before and after', async (t) => {
  const hub = await startHub({ dir: shmDir('hub') });
  const repo = 'emulator/gc-space';
  const running = await startApp(
    { ...hubEnv(hub, repo), DATA_DIR: shmDir('data'), FLUSH_INTERVAL: '1', GC_INTERVAL: '0' },
    // A short grace period: gc must still wait it out before it deletes what it moved.
    { repack: { graceMs: 2000 } },
  );
  const client = await ApiClient.login(running.url, 'admin', ADMIN_PASSWORD);
  const kept = await uploadTwoGiB(client, 9100);
  await running.app.engine.flush();
  const before = await hub.stats(repo);
  assert.ok(before.storageBytes >= 2 * 1024 ** 3, `${before.storageBytes} bytes on the Hub`);
  await assertClean(client);

  await deleteNinetyPercent(client);
  await assertClean(client);
  assert.equal((await hub.stats(repo)).storageBytes, before.storageBytes, 'deleting frees nothing by itself');

  const report = await gc(client);
  assert.equal(report.historyReclaimed, true, JSON.stringify(report));
  const after = await hub.stats(repo);
  const share = ((100 * after.storageBytes) / before.storageBytes).toFixed(1);
  t.diagnostic(
    `Hub storage: ${before.storageBytes} bytes before gc, ${after.storageBytes} after (${share}%)`,
  );
  assert.ok(
    after.storageBytes <= 0.15 * before.storageBytes,
    `the Hub counts ${after.storageBytes} of ${before.storageBytes} bytes after gc`,
  );
  assert.ok(after.lfsObjects < before.lfsObjects / 2, 'the objects are released, not only uncounted');
  assert.equal(after.commits, 1, 'the history is squashed');
  assert.equal(report.usageAfter, after.storageBytes, "gc's report says what the Hub says");
  const verified = await assertClean(client, { verify: true });
  assert.ok(verified.checked.chunksVerified > 0);
  await assertKeptReadBack(client, kept);

  // The drive goes on committing on top of the squashed history.
  assert.equal((await client.upload('/after-gc.bin', Buffer.from('after gc'))).status, 201);
  await running.app.engine.flush();
  const status = running.app.engine.status();
  assert.deepEqual([status.pendingPacks, status.lastError], [0, null]);
  assert.ok((await hub.stats(repo)).commits >= 2, 'committed on top of the squashed commit');
  assert.equal((await client.download('/after-gc.bin')).bytes.toString(), 'after gc');
});
