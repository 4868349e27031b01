import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { SearchPage } from '../../src/drive/search.js';
import type { SharedPage } from '../../src/drive/shares.js';
import type { ListPage } from '../../src/drive/tree.js';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { assertError, call, createUser, q, raw } from './support.js';

let app: RunningApp;
let alice: ApiClient;
let bob: ApiClient;

before(async () => {
  app = await startApp();
  const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
  await createUser(admin, 'alice', 'alice-password');
  await createUser(admin, 'bob', 'bob-password');
  alice = await ApiClient.login(app.url, 'alice', 'alice-password');
  bob = await ApiClient.login(app.url, 'bob', 'bob-password');
  for (const folder of ['/Docs', '/Docs/old', '/Docs/Reports', '/Gone', '/Gone/inner', '/Empty']) {
    assert.equal((await alice.post('/fs/mkdir', { path: folder })).status, 201, folder);
  }
  for (const file of [
    '/Docs/Report 2024.txt',
    '/Docs/report-final.PDF',
    '/Docs/old/REPORT_v1.txt',
    '/Docs/old/reportXv1.txt',
    '/Docs/100%.txt',
    '/Docs/100x.txt',
    '/Docs/trashed report.txt',
    '/Gone/report-inside.txt',
    '/Gone/inner/report-deeper.txt',
    '/notes.md',
  ]) {
    assert.equal((await alice.upload(file, `content of ${file}`)).status, 201, file);
  }
  assert.equal((await bob.upload('/report-bob.txt', 'bob')).status, 201);
  // In the trash: the file itself, and a whole folder (only its top is marked).
  for (const gone of ['/Docs/trashed report.txt', '/Gone']) {
    assert.equal((await alice.post('/fs/delete', { path: gone })).status, 204);
  }
});

async function search(client: ApiClient, query: string): Promise<SearchPage> {
  const res = await client.get<SearchPage>(`/fs/search?${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

const paths = (page: SearchPage) => page.entries.map((e) => e.path);

describe('search', () => {
  test('names containing the text, ASCII case ignored, the whole live tree, full paths', async () => {
    const page = await search(alice, 'q=report');
    assert.deepEqual(paths(page), [
      '/Docs/Report 2024.txt',
      '/Docs/report-final.PDF',
      '/Docs/old/REPORT_v1.txt',
      '/Docs/Reports',
      '/Docs/old/reportXv1.txt',
    ]);
    assert.equal(page.nextCursor, null);
    const dir = page.entries.find((e) => e.path === '/Docs/Reports')!;
    assert.equal(dir.kind, 'dir');
    assert.equal(dir.etag, null);
    const file = page.entries.find((e) => e.path === '/Docs/Report 2024.txt')!;
    assert.equal(file.kind, 'file');
    assert.equal(file.name, 'Report 2024.txt');
    assert.equal(file.size, Buffer.byteLength('content of /Docs/Report 2024.txt'));
    assert.match(file.etag ?? '', /^"[0-9a-f]{40}"$/);
    // Bob's tree is his own.
    assert.deepEqual(paths(await search(bob, 'q=report')), ['/report-bob.txt']);
  });

  test('% and _ are plain characters', async () => {
    assert.deepEqual(paths(await search(alice, 'q=_v1')), ['/Docs/old/REPORT_v1.txt']);
    assert.deepEqual(paths(await search(alice, `q=${encodeURIComponent('100%')}`)), ['/Docs/100%.txt']);
    assert.deepEqual(paths(await search(alice, 'q=100')), ['/Docs/100%.txt', '/Docs/100x.txt']);
    assert.deepEqual(paths(await search(alice, `q=${encodeURIComponent('\\')}`)), []);
  });

  test('below a folder only', async () => {
    assert.deepEqual(paths(await search(alice, `q=report&path=${encodeURIComponent('/Docs/old')}`)), [
      '/Docs/old/REPORT_v1.txt',
      '/Docs/old/reportXv1.txt',
    ]);
    // The folder itself is not among its matches.
    assert.deepEqual(paths(await search(alice, `q=old&path=${encodeURIComponent('/Docs/old')}`)), []);
    assert.deepEqual(paths(await search(alice, `q=old`)), ['/Docs/old']);
  });

  test('paged by cursor, in the same order as one page', async () => {
    const whole = paths(await search(alice, 'q=t&limit=1000'));
    assert.ok(whole.length >= 8);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: SearchPage = await search(
        alice,
        `q=t&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      assert.ok(page.entries.length <= 3);
      if (page.nextCursor !== null) assert.equal(page.entries.length, 3);
      seen.push(...paths(page));
      cursor = page.nextCursor;
      assert.ok(++pages < 20);
    } while (cursor !== null);
    assert.deepEqual(seen, whole);
  });

  test('refusals', async () => {
    assertError(await call(alice, 'GET', '/fs/search'), 400, 'INVALID_INPUT');
    assertError(await call(alice, 'GET', '/fs/search?q='), 400, 'INVALID_INPUT');
    assertError(await call(alice, 'GET', `/fs/search?q=${'x'.repeat(256)}`), 400, 'INVALID_INPUT');
    assertError(await call(alice, 'GET', '/fs/search?q=a&path=%2Fnotes.md'), 400, 'NOT_A_FOLDER');
    assertError(await call(alice, 'GET', '/fs/search?q=a&path=%2Fnope'), 404, 'NOT_FOUND');
    assertError(await call(alice, 'GET', '/fs/search?q=a&path=%2FGone'), 404, 'NOT_FOUND');
    assertError(await call(alice, 'GET', '/fs/search?q=a&cursor=bogus'), 400, 'BAD_CURSOR');
    assertError(await call(alice, 'GET', '/fs/search?q=a&limit=0'), 400, 'INVALID_INPUT');
    assertError(await raw(`${app.url}/api/fs/search?q=a`), 401);
  });
});

describe('list totals', () => {
  test('every page of /fs/list says how many live entries the folder has', async () => {
    let cursor: string | null = null;
    let count = 0;
    do {
      const res: { status: number; body: ListPage } = await alice.get<ListPage>(
        `/fs/list${q('/Docs')}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      assert.equal(res.status, 200);
      // Reports, old, Report 2024.txt, report-final.PDF, 100%.txt, 100x.txt; not the trashed file.
      assert.equal(res.body.total, 6);
      count += res.body.entries.length;
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    assert.equal(count, 6);
    assert.equal((await alice.get<ListPage>(`/fs/list${q('/Empty')}`)).body.total, 0);
    assert.equal((await alice.get<ListPage>(`/fs/list${q('/')}`)).body.total, 3);
  });

  test('so does a shared folder', async () => {
    const created = await alice.post<{ token: string }>('/shares', { path: '/Docs' });
    assert.equal(created.status, 201);
    const res = await raw(`${app.url}/api/s/${created.body.token}/list?path=%2F&limit=1`);
    const page = JSON.parse(res.text) as SharedPage;
    assert.equal(page.entries.length, 1);
    assert.equal(page.total, 6);
  });
});
