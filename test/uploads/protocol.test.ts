import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunningApp } from '../helpers/app.js';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { SMALL_CONTENT_ENV } from '../helpers/drive.js';
import { createUser } from '../http/support.js';
import {
  create,
  encodeMetadata,
  gatedSource,
  locationOf,
  startTus,
  tusRequest,
  type Listed,
} from './support.js';

const MiB = 1024 * 1024;
const DAY = 24 * 3600 * 1000;

/** An upload that received part of its bytes, then was cut off; returns its URL and held offset. */
async function cutOff(client: ApiClient, data: Buffer, path: string, at: number) {
  const source = gatedSource(data, at);
  const run = startTus(data, { client, metadata: { path }, fileReader: source.fileReader });
  await source.reached;
  await run.upload.abort();
  source.open();
  // The HEAD waits for the cut-off request to record what it received.
  const head = await tusRequest(run.url(), 'HEAD', client.headers());
  assert.equal(head.status, 200);
  return { url: run.url(), offset: Number(head.headers.get('upload-offset')) };
}

async function chunkUses(app: RunningApp): Promise<number> {
  const row = await app.app.db
    .selectFrom('chunks')
    .select((eb) => eb.fn.sum<number>('refcount').as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n ?? 0);
}

describe('tus endpoint', () => {
  test('sign-in, CSRF token, and uploads that belong to their user', async () => {
    const app = await startApp(SMALL_CONTENT_ENV);
    const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    const endpoint = `${app.url}/api/tus/`;
    const meta = { 'upload-length': '10', 'upload-metadata': encodeMetadata({ path: '/x.bin' }) };

    const anonymous = await tusRequest(endpoint, 'POST', meta);
    assert.equal(anonymous.status, 401);
    const noCsrf = await tusRequest(endpoint, 'POST', { cookie: admin.cookie, ...meta });
    assert.equal(noCsrf.status, 403);
    assert.match(noCsrf.text, /CSRF/);

    const created = await create(admin, 10, { path: '/x.bin' });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('tus-resumable'), '1.0.0');
    const expires = Date.parse(created.headers.get('upload-expires') ?? '');
    assert.ok(expires > Date.now() + 6 * DAY && expires <= Date.now() + 7 * DAY + 1000);
    const url = locationOf(admin, created);
    assert.match(new URL(url).pathname, /^\/api\/tus\/[0-9a-f]{32}$/);

    // HEAD is safe (no token needed); PATCH and DELETE need the token.
    const head = await tusRequest(url, 'HEAD', { cookie: admin.cookie });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('upload-offset'), '0');
    assert.equal(head.headers.get('upload-length'), '10');
    assert.equal(head.headers.get('upload-metadata'), encodeMetadata({ path: '/x.bin' }));
    assert.equal(head.headers.get('cache-control'), 'no-store');
    const patchHeaders = {
      cookie: admin.cookie,
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    };
    assert.equal((await tusRequest(url, 'PATCH', patchHeaders, Buffer.alloc(10, 1))).status, 403);
    assert.equal((await tusRequest(url, 'DELETE', { cookie: admin.cookie })).status, 403);
    assert.equal((await tusRequest(url, 'HEAD', {})).status, 401);

    // Another user sees nothing of it.
    await createUser(admin, 'bob', 'bob-password-1');
    const bob = await ApiClient.login(app.url, 'bob', 'bob-password-1');
    assert.equal((await tusRequest(url, 'HEAD', bob.headers())).status, 404);
    const bobPatch = await tusRequest(
      url,
      'PATCH',
      { ...bob.headers(), ...patchHeaders, cookie: bob.cookie },
      Buffer.alloc(10, 1),
    );
    assert.equal(bobPatch.status, 404);
    assert.equal((await tusRequest(url, 'DELETE', bob.headers())).status, 404);
    assert.deepEqual((await bob.get<Listed>('/uploads')).body.uploads, []);
    const id = url.split('/').pop()!;
    assert.equal((await bob.request('DELETE', `/uploads/${id}`)).status, 404);
    assert.equal((await admin.get<Listed>('/uploads')).body.uploads.length, 1);

    // Its owner finishes it.
    const done = await tusRequest(url, 'PATCH', { ...admin.headers(), ...patchHeaders }, Buffer.alloc(10, 7));
    assert.equal(done.status, 204, done.text);
    assert.equal(done.headers.get('upload-offset'), '10');
    assert.ok((await admin.download('/x.bin')).bytes.equals(Buffer.alloc(10, 7)));
    // A PATCH at the wrong offset is a conflict, as tus says.
    const other = locationOf(admin, await create(admin, 10, { path: '/y.bin' }));
    const wrong = await tusRequest(
      other,
      'PATCH',
      { ...admin.headers(), ...patchHeaders, 'upload-offset': '5' },
      Buffer.alloc(5),
    );
    assert.equal(wrong.status, 409);
  });

  test('under BASE_PATH, the endpoint and the Location it gives are under it too', async () => {
    const app = await startApp({ ...SMALL_CONTENT_ENV, BASE_PATH: '/drive' });
    const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    assert.match(admin.baseUrl, /\/drive$/);
    const created = await create(admin, 3, { path: '/based.txt' });
    assert.equal(created.status, 201, created.text);
    assert.match(created.headers.get('location') ?? '', /^\/drive\/api\/tus\/[0-9a-f]{32}$/);
    const data = Buffer.from('abc');
    await startTus(data, { client: admin, uploadUrl: locationOf(admin, created) }).done;
    assert.equal((await admin.download('/based.txt')).bytes.toString(), 'abc');
  });

  test('metadata, length and target are checked at creation', async () => {
    const app = await startApp(SMALL_CONTENT_ENV);
    const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    const refused = async (
      length: number,
      metadata: Record<string, string>,
      status: number,
      text: RegExp,
    ) => {
      const answer = await create(admin, length, metadata);
      assert.equal(answer.status, status, `${JSON.stringify(metadata)}: ${answer.text}`);
      assert.match(answer.text, text);
    };
    await refused(10, { filename: 'a.txt' }, 400, /needs "path"/);
    await refused(10, { path: '/' }, 400, /below the root/);
    await refused(10, { path: '/a/../b' }, 400, /not allowed as a name/);
    await refused(10, { path: '/a/b\u0001c' }, 400, /control characters/);
    await refused(10, { path: '/x', overwrite: 'maybe' }, 400, /"overwrite" must be/);
    await refused(500 * 1024 ** 3 + 1, { path: '/huge' }, 413, /Maximum size exceeded/);
    const noLength = await tusRequest(`${admin.baseUrl}/api/tus/`, 'POST', {
      ...admin.headers(),
      'upload-metadata': encodeMetadata({ path: '/x' }),
    });
    assert.equal(noLength.status, 400);
    const deferred = await tusRequest(`${admin.baseUrl}/api/tus/`, 'POST', {
      ...admin.headers(),
      'upload-defer-length': '1',
      'upload-metadata': encodeMetadata({ path: '/x' }),
    });
    assert.equal(deferred.status, 501);
    const badMetadata = await tusRequest(`${admin.baseUrl}/api/tus/`, 'POST', {
      ...admin.headers(),
      'upload-length': '10',
      'upload-metadata': 'path not-base64!',
    });
    assert.equal(badMetadata.status, 400);

    await admin.upload('/taken.txt', 'first');
    await admin.post('/fs/mkdir', { path: '/folder' });
    await refused(10, { path: '/taken.txt', overwrite: 'false' }, 409, /already exists/);
    await refused(10, { path: '/folder' }, 409, /is a folder/);
    await refused(10, { path: '/taken.txt/inside.bin' }, 409, /is a file/);

    // Parents are made as needed; an empty file is written at once.
    const empty = await create(admin, 0, { path: '/new/deep/empty.txt' });
    assert.equal(empty.status, 201, empty.text);
    const stat = await admin.get<{ size: number; kind: string }>(
      `/fs/stat?path=${encodeURIComponent('/new/deep/empty.txt')}`,
    );
    assert.equal(stat.status, 200);
    assert.equal(stat.body.size, 0);
    assert.equal(stat.body.kind, 'file');
    const emptyHead = await tusRequest(locationOf(admin, empty), 'HEAD', admin.headers());
    assert.equal(emptyHead.headers.get('upload-offset'), '0');
    assert.equal(emptyHead.headers.get('upload-length'), '0');

    // overwrite (the default) makes a new version, like PUT /fs/content.
    const bytes = pseudoRandom(300_000, 5);
    await startTus(bytes, { client: admin, metadata: { path: '/taken.txt' } }).done;
    assert.ok((await admin.download('/taken.txt')).bytes.equals(bytes));
    const versions = await admin.get<{ versions: unknown[] }>(
      `/fs/versions?path=${encodeURIComponent('/taken.txt')}`,
    );
    assert.equal(versions.body.versions.length, 2);
    // creation-with-upload: the bytes come with the POST.
    const withPost = startTus(bytes, {
      client: admin,
      metadata: { path: '/posted.bin' },
      uploadDataDuringCreation: true,
    });
    await withPost.done;
    assert.deepEqual(
      withPost.exchanges.map((e) => [e.method, e.status, e.offset]),
      [['POST', 201, bytes.length]],
    );
    assert.ok((await admin.download('/posted.bin')).bytes.equals(bytes));
  });

  test('overwrite=false is checked again at completion; the upload stays, and completes once the path is free', async () => {
    const app = await startApp(SMALL_CONTENT_ENV);
    const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    const data = pseudoRandom(2 * MiB, 11);
    const created = await create(admin, data.length, { path: '/late.bin', overwrite: 'false' });
    assert.equal(created.status, 201);
    const url = locationOf(admin, created);
    await admin.upload('/late.bin', 'someone was faster');
    const patch = {
      ...admin.headers(),
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    };
    const conflict = await tusRequest(url, 'PATCH', patch, data);
    assert.equal(conflict.status, 409, conflict.text);
    assert.match(conflict.text, /already exists/);
    const head = await tusRequest(url, 'HEAD', admin.headers());
    assert.equal(head.status, 200);
    assert.ok(
      Number(head.headers.get('upload-offset')) < data.length,
      'an upload refused at the end is not done',
    );
    assert.equal((await admin.download('/late.bin')).bytes.toString(), 'someone was faster');

    await admin.post('/fs/delete', { path: '/late.bin' });
    await startTus(data, { client: admin, uploadUrl: url }).done;
    assert.ok((await admin.download('/late.bin')).bytes.equals(data));
  });

  test('the quota is checked against Upload-Length at creation, unfinished uploads counted', async () => {
    const app = await startApp(SMALL_CONTENT_ENV);
    const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    await createUser(admin, 'carol', 'carol-password-1', { quotaBytes: 10 * MiB });
    const carol = await ApiClient.login(app.url, 'carol', 'carol-password-1');
    const tooBig = await create(carol, 10 * MiB + 1, { path: '/big.bin' });
    assert.equal(tooBig.status, 413, tooBig.text);
    assert.match(tooBig.text, /quota/);
    const first = await create(carol, 6 * MiB, { path: '/one.bin' });
    assert.equal(first.status, 201);
    const second = await create(carol, 6 * MiB, { path: '/two.bin' });
    assert.equal(second.status, 413, 'the unfinished upload holds its room');
    // Cancelling the first (the UI's list) gives the room back.
    const id = locationOf(carol, first).split('/').pop()!;
    assert.equal((await carol.request('DELETE', `/uploads/${id}`)).status, 204);
    assert.equal((await tusRequest(locationOf(carol, first), 'HEAD', carol.headers())).status, 404);
    assert.equal((await create(carol, 6 * MiB, { path: '/two.bin' })).status, 201);
  });

  test('termination releases the chunks an unfinished upload held', async () => {
    const app = await startApp({ ...SMALL_CONTENT_ENV, GC_INTERVAL: '0' }, { repack: { graceMs: 0 } });
    const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    const data = pseudoRandom(8 * MiB, 21);
    const { url, offset } = await cutOff(admin, data, '/gone.bin', 5 * MiB);
    assert.ok(offset > 0);
    assert.ok((await chunkUses(app)) > 0, 'the upload holds its chunks');
    const terminated = await tusRequest(url, 'DELETE', admin.headers());
    assert.equal(terminated.status, 204);
    assert.equal((await tusRequest(url, 'HEAD', admin.headers())).status, 404);
    assert.equal(await chunkUses(app), 0, 'no chunk is in use any more');
    assert.deepEqual(await app.app.db.selectFrom('upload_parts').selectAll().execute(), []);
    assert.deepEqual((await admin.get<Listed>('/uploads')).body.uploads, []);
    await app.app.engine.flush();
    const gc = await app.app.drive.maintenance.gc();
    assert.ok(gc.chunksDropped > 0 && gc.bytesDropped >= offset, JSON.stringify(gc));
    assert.equal((await app.app.drive.maintenance.fsck()).problemCount, 0);
  });

  test('an upload idle for 7 days expires: 410 until the sweep, which releases it at start-up', async () => {
    const app = await startApp(SMALL_CONTENT_ENV);
    const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    const data = pseudoRandom(4 * MiB, 31);
    const { url, offset } = await cutOff(admin, data, '/old.bin', 3 * MiB);
    assert.ok(offset > 0);
    const id = url.split('/').pop()!;
    const listed = (await admin.get<Listed>('/uploads')).body.uploads;
    assert.equal(listed.length, 1);
    assert.ok(Math.abs(listed[0]!.expiresAt - (Date.now() + 7 * DAY)) < 60_000);
    // Seven days and a minute without activity.
    const then = Date.now() - 7 * DAY - 60_000;
    await app.app.db
      .updateTable('uploads')
      .set({ updated_at: then, expires_at: then + 7 * DAY })
      .where('id', '=', id)
      .execute();
    assert.equal((await tusRequest(url, 'HEAD', admin.headers())).status, 410);
    assert.deepEqual((await admin.get<Listed>('/uploads')).body.uploads, []);

    await app.close();
    const restarted = await startApp({ ...SMALL_CONTENT_ENV, DATA_DIR: app.dataDir });
    const client = await ApiClient.login(restarted.url, 'admin', ADMIN_PASSWORD);
    const moved = url.replace(app.url, restarted.url);
    assert.equal((await tusRequest(moved, 'HEAD', client.headers())).status, 404);
    assert.deepEqual(await restarted.app.db.selectFrom('uploads').selectAll().execute(), []);
    assert.equal(await chunkUses(restarted), 0);
  });
});
