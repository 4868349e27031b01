import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { MAX_UNFINISHED } from '../../src/drive/uploads.js';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { SMALL_CONTENT_ENV } from '../helpers/drive.js';
import { createUser } from '../http/support.js';
import { create, locationOf, tusHeaders } from './support.js';

const MiB = 1024 * 1024;
const DAY = 24 * 3600 * 1000;

/** A PATCH that sends `first` at once and the rest only when `finish` is called; resolves with its answer. */
function slowPatch(client: ApiClient, url: string, data: Buffer, first: number) {
  let finish = () => {};
  const answer = new Promise<{ status: number; offset: string | undefined }>((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'PATCH',
        headers: tusHeaders({
          ...client.headers(),
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          'content-length': String(data.length),
        }),
      },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode!, offset: res.headers['upload-offset'] as string | undefined });
      },
    );
    request.on('error', reject);
    request.write(data.subarray(0, first));
    finish = () => request.end(data.subarray(first));
  });
  return { answer, finish: () => finish() };
}

describe('upload limits', () => {
  let app: RunningApp;
  let admin: ApiClient;

  before(async () => {
    app = await startApp(SMALL_CONTENT_ENV);
    admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
  });
  after(() => app.close());

  test('the length of unfinished uploads counts against the quota of every other write', async () => {
    await createUser(admin, 'carol', 'carol-password-1', { quotaBytes: 10 * MiB });
    const carol = await ApiClient.login(app.url, 'carol', 'carol-password-1');
    const created = await create(carol, 9 * MiB, { path: '/held.bin' });
    assert.equal(created.status, 201);
    const patch = await fetch(locationOf(carol, created), {
      method: 'PATCH',
      headers: tusHeaders({
        ...carol.headers(),
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      }),
      body: pseudoRandom(8 * MiB, 1),
    });
    assert.equal(patch.status, 204);
    // 9 MiB reserved by the upload, 9 more would pass the 10 MiB quota.
    assert.equal((await carol.upload('/plain.bin', pseudoRandom(9 * MiB, 2))).status, 413);
    assert.equal((await carol.upload('/small.bin', pseudoRandom(MiB / 2, 3))).status, 201);
    // The upload itself still completes: its own reservation is not counted twice.
    const last = await fetch(locationOf(carol, created), {
      method: 'PATCH',
      headers: tusHeaders({
        ...carol.headers(),
        'upload-offset': String(8 * MiB),
        'content-type': 'application/offset+octet-stream',
      }),
      body: pseudoRandom(MiB, 4),
    });
    assert.equal(last.status, 204);
    assert.equal(last.headers.get('upload-offset'), String(9 * MiB));
  });

  test("another user's request for my upload (404 to them) does not cut my PATCH short", async () => {
    await createUser(admin, 'bob', 'bob-password-1');
    const bob = await ApiClient.login(app.url, 'bob', 'bob-password-1');
    const data = pseudoRandom(4 * MiB, 5);
    const url = locationOf(admin, await create(admin, data.length, { path: '/mine.bin' }));
    const patch = slowPatch(admin, url, data, MiB);
    let answered = false;
    void patch.answer.then(() => (answered = true));
    await sleep(300);
    for (const method of ['HEAD', 'PATCH', 'DELETE']) {
      const res = await fetch(url, {
        method,
        headers: tusHeaders({
          ...bob.headers(),
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
        }),
      });
      assert.equal(res.status, 404, method);
    }
    // tus asks a lock's holder to let go after 3 s; nothing asked.
    await sleep(3500);
    assert.equal(answered, false, "the owner's PATCH was ended by another user's request");
    patch.finish();
    assert.deepEqual(await patch.answer, { status: 204, offset: String(data.length) });
  });

  test('an upload being written does not expire under its PATCH', async () => {
    const data = pseudoRandom(4 * MiB, 6);
    const url = locationOf(admin, await create(admin, data.length, { path: '/expiring.bin' }));
    const id = url.split('/').pop()!;
    // Its last activity almost 7 days ago: alive when the PATCH starts, due a second later.
    const then = Date.now() - 7 * DAY + 1000;
    await app.app.db
      .updateTable('uploads')
      .set({ updated_at: then, expires_at: then + 7 * DAY })
      .where('id', '=', id)
      .execute();
    const patch = slowPatch(admin, url, data, MiB);
    await sleep(1500);
    assert.equal(await app.app.drive.uploads.removeExpired(), 0);
    patch.finish();
    assert.deepEqual(await patch.answer, { status: 204, offset: String(data.length) });
  });

  test('Upload-Metadata over 4 KiB is refused, and so is an upload past the unfinished ones a user may hold', async () => {
    const big = await create(admin, 1, { path: '/big-metadata', note: 'x'.repeat(5000) });
    assert.equal(big.status, 400);
    assert.match(big.text, /Upload-Metadata/);
    await createUser(admin, 'dave', 'dave-password-1');
    const dave = await ApiClient.login(app.url, 'dave', 'dave-password-1');
    for (let i = 0; i < MAX_UNFINISHED; i++) {
      assert.equal((await create(dave, 10, { path: `/f${i}` })).status, 201);
    }
    const refused = await create(dave, 10, { path: '/one-more' });
    assert.equal(refused.status, 409);
    assert.match(refused.text, /unfinished/);
  });
});

test('WRITE_MODE=durable: an empty upload is answered once its metadata is in the store', async () => {
  const running = await startApp({ ...SMALL_CONTENT_ENV, WRITE_MODE: 'durable', FLUSH_INTERVAL: '3600' });
  try {
    const client = await ApiClient.login(running.url, 'admin', ADMIN_PASSWORD);
    await running.app.engine.flush();
    const created = await create(client, 0, { path: '/empty.txt' });
    assert.equal(created.status, 201);
    assert.equal((await client.get(`/fs/stat?path=${encodeURIComponent('/empty.txt')}`)).status, 200);
    assert.equal((await running.app.replicator.status()).oldestPendingAt, null);
  } finally {
    await running.close();
  }
});
