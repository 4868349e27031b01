import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { ApiClient } from '../helpers/client.js';
import { tempDir } from '../helpers/temp.js';
import { webTest } from './support/browser.js';
import { RequestLog, Throttle, type SeenRequest } from './support/network.js';
import { until } from '../helpers/wait.js';
import { adminApi, byTestId, named, signIn } from './support/ui.js';
import { startWebServer } from './support/web-server.js';

const SIZE = 50 * 1024 * 1024;
// Slow enough that the test sees the upload halfway, fast enough to keep the suite short.
const UPLINK = 8 * 1024 * 1024;
// The server records an upload's progress durably every 5 s (or 32 MiB): a crash loses what came
// after. Slower here, so that the first checkpoint falls before halfway.
const CRASH_UPLINK = 4 * 1024 * 1024;

const server = await startWebServer();
const files = tempDir('hubdrive-web-upload');

/** A 50 MiB file of random bytes on disk (chromium reads it itself) and its sha256. */
function bigFile(name: string): { file: string; sha256: string } {
  const data = randomBytes(SIZE);
  const file = path.join(files, name);
  writeFileSync(file, data);
  return { file, sha256: createHash('sha256').update(data).digest('hex') };
}

async function progressOf(page: Page, name: string): Promise<number> {
  const bar = named(page, 'upload-item', name).getByTestId('upload-progress');
  return Number((await bar.getAttribute('aria-valuenow')) ?? 'NaN');
}

async function statusOf(page: Page, name: string): Promise<string | null> {
  return named(page, 'upload-item', name).getByTestId('upload-status').getAttribute('data-status');
}

/**
 * Waits until the UI shows the upload past 40 % (and `also` holds), checks that it is below 90 %, and
 * returns the percentage.
 */
async function waitHalfway(
  page: Page,
  name: string,
  also: () => Promise<boolean> = async () => true,
): Promise<number> {
  await named(page, 'upload-item', name).waitFor();
  let seen = 0;
  await until(
    'the upload to pass 40 %',
    async () => (seen = await progressOf(page, name)) >= 40 && (await also()),
    60_000,
  );
  assert.ok(seen < 90, `the upload went too fast to interrupt halfway (${seen} %)`);
  return seen;
}

function offsetOf(request: SeenRequest): number {
  return Number(request.headers['upload-offset'] ?? 'NaN');
}

async function assertStoredExactly(api: ApiClient, name: string, sha256: string): Promise<void> {
  const got = await api.download(`/${name}`);
  assert.equal(got.status, 200);
  assert.equal(got.bytes.length, SIZE);
  assert.equal(createHash('sha256').update(got.bytes).digest('hex'), sha256, 'the stored bytes differ');
}

/** The server's unfinished uploads (GET /api/uploads). */
async function unfinished(api: ApiClient): Promise<{ path: string; offset: number; length: number }[]> {
  const res = await api.get<{ uploads: { path: string; offset: number; length: number }[] }>('/uploads');
  assert.equal(res.status, 200);
  return res.body.uploads;
}

webTest(
  'a 50 MiB upload interrupted by a page reload resumes when the same file is picked again',
  { timeout: 180_000 },
  async ({ page }) => {
    const { file, sha256 } = bigFile('reload.bin');
    const api = await adminApi(server);
    await signIn(page, server);
    const tus = new RequestLog(page, (url) => url.includes('/api/tus'));
    const throttle = await Throttle.of(page);
    await throttle.upload(UPLINK);

    await byTestId(page, 'upload-input-files').setInputFiles(file);
    const at = await waitHalfway(page, 'reload.bin');
    assert.equal(await statusOf(page, 'reload.bin'), 'uploading');

    await page.reload();
    await throttle.off();
    await byTestId(page, 'file-browser').waitFor();

    // The server kept what arrived whole, and the panel offers the unfinished upload. The cut-off
    // PATCH is recorded when the server sees its connection close, which a loaded machine may do
    // after the reloaded page is up: wait for that record, not for a fixed time.
    await until(
      'the server to record the cut-off upload',
      async () => ((await unfinished(api))[0]?.offset ?? 0) > 0,
      15_000,
    ).catch(() => undefined);
    const [left] = await unfinished(api);
    assert.ok(left, 'the server keeps the unfinished upload');
    assert.equal(left.path, '/reload.bin');
    assert.ok(left.offset > 0 && left.offset < SIZE, `offset ${left.offset} after ${at} %`);
    await named(page, 'upload-unfinished', 'reload.bin').waitFor();

    tus.clear();
    await byTestId(page, 'upload-input-files').setInputFiles(file);
    await until('the upload to finish', async () => (await statusOf(page, 'reload.bin')) === 'done', 60_000);

    // It went on from the server's offset: a HEAD asked for it, the PATCH started there, no new upload.
    const methods = tus.seen.map((r) => r.method);
    assert.ok(!methods.includes('POST'), `a new upload was created: ${methods.join(' ')}`);
    const head = methods.indexOf('HEAD');
    const patch = tus.seen.findIndex((r) => r.method === 'PATCH');
    assert.ok(head >= 0 && patch > head, `expected HEAD then PATCH, saw ${methods.join(' ')}`);
    assert.equal(offsetOf(tus.seen[patch]!), left.offset, 'the PATCH starts at the offset the server kept');
    assert.deepEqual(await unfinished(api), []);
    await assertStoredExactly(api, 'reload.bin', sha256);
  },
);

webTest(
  'a 50 MiB upload survives a server crash (SIGKILL) and restart mid-upload',
  { timeout: 180_000 },
  async ({ page }, t) => {
    const { file, sha256 } = bigFile('crash.bin');
    // Sessions live in the database: this one outlasts the crash, as the browser's does.
    const api = await adminApi(server);
    await signIn(page, server);
    const tus = new RequestLog(page, (url) => url.includes('/api/tus'));
    const throttle = await Throttle.of(page);
    await throttle.upload(CRASH_UPLINK);

    await byTestId(page, 'upload-input-files').setInputFiles(file);
    let held = 0;
    await waitHalfway(page, 'crash.bin', async () => (held = (await unfinished(api))[0]?.offset ?? 0) > 0);
    tus.clear();
    await server.kill();
    await server.restart();
    await throttle.off();

    // tus-js-client retries on its own; if the UI gave up meanwhile, its resume button continues.
    await until(
      'the upload to finish or fail',
      async () => ['done', 'error'].includes((await statusOf(page, 'crash.bin')) ?? ''),
      90_000,
    );
    if ((await statusOf(page, 'crash.bin')) === 'error') {
      t.diagnostic('the upload failed while the server was down: resumed with its button');
      await named(page, 'upload-item', 'crash.bin').getByTestId('upload-resume').click();
      await until('the upload to finish', async () => (await statusOf(page, 'crash.bin')) === 'done', 60_000);
    }

    // The first PATCH after the restart starts at (or past) what the killed server had recorded.
    const trail = JSON.stringify(tus.seen.map((r) => [r.method, r.headers['upload-offset']]));
    const resumed = tus.seen.find((r) => r.method === 'PATCH');
    assert.ok(resumed && offsetOf(resumed) >= held, `no PATCH went on from ${held}: ${trail}`);
    assert.ok(!tus.seen.some((r) => r.method === 'POST'), 'a new upload was created');
    assert.deepEqual(await unfinished(api), []);
    await assertStoredExactly(api, 'crash.bin', sha256);
  },
);
