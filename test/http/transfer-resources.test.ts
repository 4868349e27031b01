import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalStore } from '../../src/blobstore/local-store.js';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { localStoreDir, SMALL_CONTENT_ENV } from '../helpers/drive.js';
import { q } from './support.js';

// Transfers borrow the engine's fixed buffers; whatever clients do, every buffer must come back.
let app: RunningApp;
let client: ApiClient;
const files = new Map<string, Buffer>();

function buffers() {
  return app.app.engine.status().buffers;
}

/** Waits until every buffer is free again (writes on closed sockets settle asynchronously). */
async function allBuffersBack(): Promise<void> {
  for (let i = 0; i < 100 && buffers().free !== buffers().total; i++) await sleep(20);
  assert.deepEqual(buffers(), { total: buffers().total, free: buffers().total });
}

/** Starts a download and reads only its first bytes, then drops the connection. */
function abortedDownload(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${client.baseUrl}/api/fs/content${q(path)}`, {
      headers: { cookie: client.cookie },
      agent: false,
    });
    request.on('response', (response) => {
      response.once('data', () => {
        request.destroy();
        resolve();
      });
    });
    request.on('error', (error) => (request.destroyed ? resolve() : reject(error)));
  });
}

before(async () => {
  app = await startApp(SMALL_CONTENT_ENV);
  client = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
  for (let i = 0; i < 8; i++) {
    const data = pseudoRandom(5 * 1024 * 1024 + i, 500 + i);
    files.set(`/f${i}.bin`, data);
    assert.equal((await client.upload(`/f${i}.bin`, data)).status, 201);
  }
});

describe('transfer buffers', () => {
  test('eight downloads at once, each many buffers long, all finish byte-exact', async () => {
    const got = await Promise.all([...files.keys()].map((path) => client.download(path)));
    got.forEach((res, i) => {
      assert.equal(res.status, 200);
      assert.ok(res.bytes.equals(files.get(`/f${i}.bin`)!), `/f${i}.bin differs`);
    });
    await allBuffersBack();
  });

  test('downloads dropped by the client give their buffers back', async () => {
    for (let i = 0; i < 20; i++) await abortedDownload(`/f${i % 8}.bin`);
    await allBuffersBack();
    assert.ok((await client.download('/f0.bin')).bytes.equals(files.get('/f0.bin')!));
  });

  test('a multipart upload dropped mid-body ends, and gives its buffers back', async () => {
    for (let i = 0; i < 4; i++) {
      await new Promise<void>((resolve) => {
        const boundary = 'x-boundary';
        const request = http.request(`${client.baseUrl}/api/fs/upload${q('/')}`, {
          method: 'POST',
          agent: false,
          headers: client.headers({ 'content-type': `multipart/form-data; boundary=${boundary}` }),
        });
        request.on('error', () => resolve());
        request.write(
          `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="cut${i}.bin"\r\n\r\n`,
        );
        request.write(pseudoRandom(3 * 1024 * 1024, 900 + i), () => {
          setTimeout(() => {
            request.destroy();
            resolve();
          }, 50);
        });
      });
    }
    await allBuffersBack();
    const listing = await client.get<{ entries: { name: string }[] }>(`/fs/list${q('/')}`);
    assert.deepEqual(
      listing.body.entries.filter((e) => e.name.startsWith('cut')),
      [],
      'an interrupted part is not a file',
    );
    assert.equal((await client.upload('/after.bin', pseudoRandom(2 * 1024 * 1024, 999))).status, 201);
    await allBuffersBack();
  });
});

describe('shutdown', () => {
  test('a download the client stopped reading does not keep pending writes from the store', async () => {
    const own = await startApp({ ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' });
    const owner = await ApiClient.login(own.url, 'admin', ADMIN_PASSWORD);
    const data = pseudoRandom(6 * 1024 * 1024, 77);
    assert.equal((await owner.upload('/pending.bin', data)).status, 201);
    assert.ok(own.app.engine.status().pendingBytes > 0);
    // A client that reads a little and then stops, keeping its connection open.
    const paused = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get(
          `${own.url}/api/fs/content${q('/pending.bin')}`,
          { headers: { cookie: owner.cookie }, agent: false },
          (res) => {
            res.pause();
            resolve(res);
          },
        )
        .on('error', () => undefined)
        .on('error', reject);
    });
    await own.close({ graceMs: 500 });
    paused.destroy();
    // Open the store again, as the next start would, and look for the pack.
    const store = await LocalStore.open({ dir: localStoreDir(own.app) });
    let bytes = 0;
    for await (const object of store.list('packs/')) bytes += object.size;
    await store.close();
    assert.ok(bytes > data.length, `the store holds ${bytes} bytes of packs for a ${data.length}-byte file`);
    assert.deepEqual(readdirSync(path.join(own.dataDir, 'staging')), [], 'nothing is left in staging');
  });
});
