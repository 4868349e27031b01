import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalStore } from '../../src/blobstore/local-store.js';
import type { FsckReport } from '../../src/content/consistency-check.js';
import type { GcReport } from '../../src/content/garbage-collector.js';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { SMALL_CONTENT_ENV } from '../helpers/drive.js';
import { gate, hookedStore } from '../helpers/repack.js';
import { tempDir } from '../helpers/temp.js';
import { assertError, call, createUser } from './support.js';

test('POST /api/admin/gc and /api/admin/fsck: admins only, checked input, the report, 409 while one runs', async () => {
  const inner = await LocalStore.open({ dir: tempDir('hubdrive-store') });
  // Listing the whole store (fsck does) waits at this gate while `held` is set: an fsck that cannot
  // finish yet.
  let held: ReturnType<typeof gate> | null = null;
  const store = hookedStore(inner, {
    async *list(prefix) {
      if (held && prefix === '') await held.arrive();
      yield* inner.list(prefix);
    },
  });
  const app = await startApp({ ...SMALL_CONTENT_ENV, GC_INTERVAL: '0' }, { store, repack: { graceMs: 0 } });
  const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
  await createUser(admin, 'bob', 'bob-password-1');
  const bob = await ApiClient.login(app.url, 'bob', 'bob-password-1');
  for (const path of ['/admin/gc', '/admin/fsck']) {
    const refused = await call(bob, 'POST', path);
    assertError(refused, 403);
  }

  assert.equal((await admin.upload('/a.bin', pseudoRandom(1_500_000, 8500))).status, 201);
  assert.equal((await admin.upload('/b.bin', pseudoRandom(1_500_000, 8501))).status, 201);
  await app.app.engine.flush();
  assert.equal((await admin.post('/fs/delete', { path: '/a.bin' })).status, 204);
  assert.equal((await admin.post('/trash/empty')).status, 200);

  const bad = await call(admin, 'POST', '/admin/gc', { json: { threshold: 2 } });
  assertError(bad, 400, 'INVALID_INPUT');

  const fsck = await admin.post<FsckReport>('/admin/fsck', { verify: true });
  assert.equal(fsck.status, 200);
  assert.equal(fsck.body.problemCount, 0);
  assert.ok(fsck.body.checked.chunksVerified > 0);

  const dry = await admin.post<GcReport>('/admin/gc', { dryRun: true });
  assert.equal(dry.status, 200);
  assert.equal(dry.body.dryRun, true);
  assert.ok(dry.body.chunksDropped > 0);

  held = gate();
  const running = admin.post<FsckReport>('/admin/fsck', {});
  await held.reached;
  const busy = await call(admin, 'POST', '/admin/gc');
  assertError(busy, 409, 'MAINTENANCE_RUNNING');
  const holding = held;
  held = null;
  holding.open();
  assert.equal((await running).body.problemCount, 0);

  const gc = await admin.post<GcReport>('/admin/gc');
  assert.equal(gc.status, 200);
  assert.equal(gc.body.chunksDropped, dry.body.chunksDropped);
  assert.ok(gc.body.packsDeleted > 0);
  assert.equal((await admin.download('/b.bin')).bytes.length, 1_500_000);
});
