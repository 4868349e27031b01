import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Manifest } from '../../src/content/manifest.js';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { SMALL_CONTENT_ENV } from '../helpers/drive.js';
import { assertConsistent, MANUAL } from '../helpers/repack.js';
import { gatedSource, headUpload, startTus } from './support.js';

const MiB = 1024 * 1024;

/** Where each chunk of the upload's recorded parts is now: hex id → pack. */
async function uploadChunks(app: RunningApp): Promise<Map<string, number>> {
  const ids: Buffer[] = [];
  for (const { chunks } of await app.app.db.selectFrom('upload_parts').select('chunks').execute()) {
    const list = Manifest.decode(chunks);
    for (let i = 0; i < list.count; i++) ids.push(list.id(i));
  }
  const rows = await app.app.db
    .selectFrom('chunks')
    .select(['id', 'pack_id', 'refcount'])
    .where('id', 'in', ids)
    .execute();
  for (const row of rows) assert.ok(row.refcount > 0, 'the upload holds a reference on each of its chunks');
  return new Map(rows.map((r) => [r.id.toString('hex'), r.pack_id]));
}

async function packsOfFile(app: RunningApp, path: string): Promise<Set<number>> {
  const names = path.split('/').filter(Boolean);
  const node = await app.app.db
    .selectFrom('nodes')
    .innerJoin('versions', 'versions.id', 'nodes.version_id')
    .innerJoin('manifests', 'manifests.id', 'versions.manifest_id')
    .select('manifests.chunks')
    .where('nodes.name', '=', names.at(-1)!)
    .executeTakeFirstOrThrow();
  const list = Manifest.decode(node.chunks);
  const ids = Array.from({ length: list.count }, (_, i) => list.id(i));
  const rows = await app.app.db.selectFrom('chunks').select('pack_id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.pack_id));
}

test('gc and fsck during an unfinished upload keep its chunks (even when they move); it then completes byte-exact', async () => {
  const app = await startApp(
    { ...SMALL_CONTENT_ENV, GC_INTERVAL: '0', FLUSH_INTERVAL: '3600' },
    { repack: MANUAL },
  );
  const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
  // Junk before and after the upload's first bytes, in the same packs.
  await admin.upload('/junk1.bin', pseudoRandom(3 * MiB, 1));
  const junkPacks = await packsOfFile(app, '/junk1.bin');
  const data = pseudoRandom(12 * MiB, 2);
  const source = gatedSource(data, 6 * MiB);
  const first = startTus(data, {
    client: admin,
    metadata: { path: '/kept.bin' },
    fileReader: source.fileReader,
  });
  await source.reached;
  await first.upload.abort();
  source.open();
  const url = first.url();
  const head = await headUpload(url, admin);
  const offset = Number(head.headers.get('upload-offset'));
  assert.ok(offset > 0);
  await admin.upload('/junk2.bin', pseudoRandom(3 * MiB, 3));
  for (const path of ['/junk1.bin', '/junk2.bin']) await admin.post('/fs/delete', { path });
  assert.equal((await admin.post('/trash/empty')).status, 200);
  await app.app.engine.flush();

  const before = await uploadChunks(app);
  assert.ok(before.size > 0);
  const shared = [...before.values()].filter((pack) => junkPacks.has(pack));
  assert.ok(shared.length > 0, 'the scenario puts some of the upload next to junk in a pack');

  const report = await app.app.drive.maintenance.gc();
  assert.ok(report.chunksDropped > 0, 'the junk is dropped');
  assert.ok(report.packsRepacked > 0 && report.packsDeleted > 0, JSON.stringify(report));
  const after = await uploadChunks(app);
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), 'every chunk of the upload is kept');
  assert.ok(
    [...before].some(([id, pack]) => after.get(id) !== pack),
    'some of the upload was moved out of a rewritten pack',
  );
  const fsck = await app.app.drive.maintenance.fsck({ verify: true });
  assert.equal(fsck.problemCount, 0, JSON.stringify(fsck.problems));
  const repair = await app.app.drive.maintenance.fsck({ repair: true });
  assert.equal(repair.repaired, 0, 'fsck --repair finds nothing to take from the upload');
  assert.equal((await app.app.drive.maintenance.gc()).chunksDropped, 0, 'a second gc drops nothing of it');

  const resumed = startTus(data, { client: admin, uploadUrl: url });
  await resumed.done;
  assert.equal(resumed.exchanges[0]?.offset, offset, 'the upload resumes where it was before the gc');
  assert.ok((await admin.download('/kept.bin')).bytes.equals(data), 'the file is byte-exact');
  await app.app.engine.flush();
  await assertConsistent(app.app);
  assert.deepEqual(await app.app.db.selectFrom('upload_parts').selectAll().execute(), []);
});
