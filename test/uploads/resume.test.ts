import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { SMALL_CONTENT_ENV } from '../helpers/drive.js';
import { gatedSource, headUpload, startTus, type Listed } from './support.js';

const MiB = 1024 * 1024;

test('an upload cut off halfway resumes from the offset the server holds, and ends byte-exact', async () => {
  const { url } = await startApp(SMALL_CONTENT_ENV);
  const client = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
  const data = pseudoRandom(50 * MiB, 4242);
  const half = 25 * MiB;
  // The first client sends exactly half, then stops sending and is aborted mid-PATCH.
  const source = gatedSource(data, half);
  const first = startTus(data, {
    client,
    metadata: { path: '/Photos/trip/big.bin', filename: 'big.bin', filetype: 'application/octet-stream' },
    fileReader: source.fileReader,
  });
  await source.reached;
  const uploadUrl = first.url();
  await first.upload.abort();
  source.open();

  // A new client (a page reload) with the stored URL: HEAD says where to go on from.
  const second = startTus(data, { client, uploadUrl });
  await second.done;
  const [head, patch, ...rest] = second.exchanges;
  assert.equal(head?.method, 'HEAD');
  assert.equal(head.status, 200);
  const offset = head.offset!;
  assert.ok(offset > 0, 'the chunks that arrived before the cut were kept');
  assert.ok(offset <= half, `the server holds ${offset} bytes, more than the ${half} sent`);
  assert.equal(patch?.method, 'PATCH');
  assert.equal(patch.sentOffset, offset, 'the resumed PATCH starts at the offset the server reported');
  assert.equal(patch.status, 204);
  assert.equal(patch.offset, data.length);
  assert.deepEqual(rest, []);

  const got = await client.download('/Photos/trip/big.bin');
  assert.equal(got.status, 200);
  assert.equal(got.bytes.length, data.length);
  assert.ok(got.bytes.equals(data), 'the file is byte-exact');
  const listed = await client.get<Listed>('/uploads');
  assert.deepEqual(listed.body.uploads, [], 'a finished upload is no longer listed');
  // A HEAD after the end (a client that lost the last answer) says it is done.
  const again = await headUpload(uploadUrl, client);
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('upload-offset'), String(data.length));
  assert.equal(again.headers.get('upload-length'), String(data.length));
});

test('while cut off, the upload is listed with its offset; a client sending pieces (chunkSize) goes on exactly', async () => {
  const { url } = await startApp(SMALL_CONTENT_ENV);
  const client = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
  const data = pseudoRandom(6 * MiB + 777, 99);
  const source = gatedSource(data, 3 * MiB);
  const first = startTus(data, { client, metadata: { path: '/pieces.bin' }, fileReader: source.fileReader });
  await source.reached;
  await first.upload.abort();
  source.open();
  const uploadId = first.url().split('/').pop()!;
  // A HEAD waits for the cut-off request to let go of the upload (it records what it received).
  const head = await headUpload(first.url(), client);
  assert.equal(head.status, 200);
  const listed = await client.get<Listed>('/uploads');
  assert.equal(listed.status, 200);
  assert.equal(listed.body.uploads.length, 1);
  const [entry] = listed.body.uploads;
  assert.equal(entry!.id, uploadId);
  assert.equal(entry!.path, '/pieces.bin');
  assert.equal(entry!.length, data.length);
  assert.equal(String(entry!.offset), head.headers.get('upload-offset'));
  assert.ok(entry!.offset > 0 && entry!.offset <= 3 * MiB);

  // 700 KB pieces end between chunk boundaries: each whole request counts in full.
  const pieces = startTus(data, { client, uploadUrl: first.url(), chunkSize: 700_000 });
  await pieces.done;
  const patches = pieces.exchanges.filter((e) => e.method === 'PATCH');
  assert.ok(patches.length > 1);
  for (const patch of patches) {
    assert.equal(patch.status, 204);
    assert.equal(patch.offset, Math.min(data.length, patch.sentOffset! + 700_000));
  }
  assert.ok((await client.download('/pieces.bin')).bytes.equals(data));
});

test('WRITE_MODE=durable: the completing PATCH answers once the file and its metadata are committed to the store', async () => {
  const { url, app } = await startApp({
    ...SMALL_CONTENT_ENV,
    WRITE_MODE: 'durable',
    FLUSH_INTERVAL: '3600',
  });
  const client = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
  const data = pseudoRandom(5 * MiB, 8);
  const source = gatedSource(data, 2 * MiB);
  const first = startTus(data, { client, metadata: { path: '/durable.bin' }, fileReader: source.fileReader });
  await source.reached;
  await first.upload.abort();
  source.open();
  const resumed = startTus(data, { client, uploadUrl: first.url() });
  await resumed.done;
  const pending = await app.db
    .selectFrom('packs')
    .select('state')
    .where('state', '!=', 'committed')
    .execute();
  assert.deepEqual(pending, [], 'every pack of the file is committed');
  assert.equal((await app.replicator.status()).oldestPendingAt, null, 'and the metadata naming it');
  assert.ok((await client.download('/durable.bin')).bytes.equals(data));
});
