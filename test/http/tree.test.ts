import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import type { TrashItem } from '../../src/drive/trash.js';
import type { ListPage } from '../../src/drive/tree.js';
import type { VersionInfo } from '../../src/drive/versions.js';
import { assertError, call, q, usedBytes, type Entry } from './support.js';

type Page = ListPage;
type Version = VersionInfo;

let app: RunningApp;
let client: ApiClient;

before(async () => {
  app = await startApp();
  client = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
});

async function mkdir(path: string, parents = false): Promise<Entry> {
  const res = await client.post<Entry>('/fs/mkdir', { path, parents });
  assert.equal(res.status, 201, `mkdir ${path}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function put(path: string, content: string | Buffer): Promise<Entry> {
  const res = await client.upload<Entry>(path, content);
  assert.ok(res.status === 201 || res.status === 200, `upload ${path}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function text(path: string): Promise<string> {
  const res = await client.download(path);
  assert.equal(res.status, 200, `download ${path}`);
  return res.bytes.toString();
}

async function list(path: string, query = ''): Promise<Page> {
  const res = await client.get<Page>(`/fs/list${q(path)}${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** Every entry of a folder, page by page. */
async function listAll(
  path: string,
  query: string,
  limit: number,
): Promise<{ entries: Entry[]; pages: number }> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await list(
      path,
      `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    assert.ok(page.entries.length <= limit);
    if (page.nextCursor !== null) assert.equal(page.entries.length, limit);
    entries.push(...page.entries);
    cursor = page.nextCursor;
    pages++;
    assert.ok(pages < 100, 'paging does not end');
  } while (cursor !== null);
  return { entries, pages };
}

async function trash(): Promise<TrashItem[]> {
  const res = await client.get<{ items: TrashItem[]; nextCursor: string | null }>('/trash');
  assert.equal(res.status, 200);
  return res.body.items;
}

async function remove(path: string): Promise<TrashItem> {
  const res = await client.post('/fs/delete', { path });
  assert.equal(res.status, 204, `delete ${path}: ${JSON.stringify(res.body)}`);
  const item = (await trash()).find((i) => i.originalPath === path);
  assert.ok(item, `${path} is not in the trash`);
  return item;
}

describe('folders', () => {
  test('mkdir makes a folder; again is 409; parents makes the chain and is idempotent', async () => {
    const made = await mkdir('/docs');
    assert.equal(made.kind, 'dir');
    assert.equal(made.path, '/docs');
    assert.equal(made.name, 'docs');
    assert.equal(made.etag, null);
    assertError(await call(client, 'POST', '/fs/mkdir', { json: { path: '/docs' } }), 409, 'EXISTS');

    const deep = await mkdir('/a/b/c', true);
    assert.equal(deep.path, '/a/b/c');
    for (const path of ['/a', '/a/b', '/a/b/c']) {
      const stat = await client.get<Entry>(`/fs/stat${q(path)}`);
      assert.equal(stat.status, 200);
      assert.equal(stat.body.kind, 'dir');
    }
    const again = await mkdir('/a/b/c/d', true);
    assert.equal(again.path, '/a/b/c/d');
    assert.deepEqual(
      (await list('/a/b')).entries.map((e) => e.name),
      ['c'],
    );
    // A file in the way is a conflict, not a silent replacement.
    await put('/a/file', 'x');
    assertError(
      await call(client, 'POST', '/fs/mkdir', { json: { path: '/a/file/sub', parents: true } }),
      409,
    );
    assertError(await call(client, 'POST', '/fs/mkdir', { json: { path: '/a/file' } }), 409, 'EXISTS');
    assert.equal(await text('/a/file'), 'x');
  });

  test('stat describes files, folders and the root', async () => {
    const bytes = randomBytes(1234);
    const uploaded = await put('/docs/stat.bin', bytes);
    const stat = await client.get<Entry>(`/fs/stat${q('/docs/stat.bin')}`);
    assert.equal(stat.status, 200);
    assert.equal(stat.body.kind, 'file');
    assert.equal(stat.body.size, 1234);
    assert.equal(stat.body.path, '/docs/stat.bin');
    assert.equal(stat.body.etag, uploaded.etag);
    assert.equal(stat.body.id, uploaded.id);
    const root = await client.get<Entry>(`/fs/stat${q('/')}`);
    assert.equal(root.status, 200);
    assert.equal(root.body.kind, 'dir');
    assert.equal(root.body.path, '/');
    // Repeated and trailing slashes name the same thing.
    const loose = await client.get<Entry>(`/fs/stat${q('//docs///stat.bin/')}`);
    assert.equal(loose.body.id, uploaded.id);
    assertError(await call(client, 'GET', `/fs/stat${q('/docs/none')}`), 404, 'NOT_FOUND');
  });
});

describe('listing', () => {
  test('25 entries paged 10 at a time: none missing, none twice, folders first', async () => {
    await mkdir('/many');
    for (let i = 0; i < 5; i++) await mkdir(`/many/dir-${i}`);
    const files = Array.from({ length: 18 }, (_, i) => `file-${String(i).padStart(2, '0')}.txt`);
    files.push('Same.txt', 'same.txt'); // equal without regard to case
    for (const name of files) await put(`/many/${name}`, name);

    const whole = await list('/many', '&limit=1000');
    assert.equal(whole.entries.length, 25);
    assert.equal(whole.nextCursor, null);

    const { entries, pages } = await listAll('/many', '', 10);
    assert.equal(pages, 3);
    assert.equal(entries.length, 25);
    const paths = entries.map((e) => e.path);
    assert.equal(new Set(paths).size, 25, 'an entry came twice');
    assert.deepEqual(
      paths,
      whole.entries.map((e) => e.path),
    );
    assert.deepEqual(
      entries.slice(0, 5).map((e) => e.kind),
      ['dir', 'dir', 'dir', 'dir', 'dir'],
    );
    assert.ok(entries.slice(5).every((e) => e.kind === 'file'));
    assert.deepEqual(
      entries.slice(0, 5).map((e) => e.name),
      ['dir-0', 'dir-1', 'dir-2', 'dir-3', 'dir-4'],
    );
    // Names sort without regard to case; every name is there.
    assert.deepEqual(
      entries
        .slice(5)
        .map((e) => e.name)
        .sort(),
      [...files].sort(),
    );
    const names = entries.slice(5).map((e) => e.name.toLowerCase());
    assert.deepEqual(names, [...names].sort());

    // Every page size gives the same listing.
    for (const limit of [1, 3, 7, 24, 25, 26]) {
      const paged = await listAll('/many', '', limit);
      assert.deepEqual(
        paged.entries.map((e) => e.path),
        paths,
        `limit=${limit}`,
      );
      assert.equal(paged.pages, Math.max(1, Math.ceil(25 / limit)));
    }
    // Trashed entries are not listed.
    await remove('/many/file-03.txt');
    const after = await listAll('/many', '', 10);
    assert.equal(after.entries.length, 24);
    assert.ok(!after.entries.some((e) => e.name === 'file-03.txt'));
  });

  test('sort by name, size and modified, ascending and descending, paged or not', async () => {
    await mkdir('/sorted');
    // Created in an order that differs from name order, with distinct times and sizes.
    for (const name of ['d-b', 'D-a', 'd-c']) {
      await mkdir(`/sorted/${name}`);
      await sleep(3);
    }
    const files: [string, number][] = [
      ['f3.txt', 30],
      ['F1.txt', 10],
      ['f4.txt', 40],
      ['f2.txt', 20],
    ];
    for (const [name, size] of files) {
      await put(`/sorted/${name}`, 'x'.repeat(size));
      await sleep(3);
    }
    const expected: Record<string, string[]> = {
      'name asc': ['D-a', 'd-b', 'd-c', 'F1.txt', 'f2.txt', 'f3.txt', 'f4.txt'],
      'name desc': ['d-c', 'd-b', 'D-a', 'f4.txt', 'f3.txt', 'f2.txt', 'F1.txt'],
      // Folders have no size: among themselves they keep the order they were made in.
      'size asc': ['d-b', 'D-a', 'd-c', 'F1.txt', 'f2.txt', 'f3.txt', 'f4.txt'],
      'size desc': ['d-c', 'D-a', 'd-b', 'f4.txt', 'f3.txt', 'f2.txt', 'F1.txt'],
      'modified asc': ['d-b', 'D-a', 'd-c', 'f3.txt', 'F1.txt', 'f4.txt', 'f2.txt'],
      'modified desc': ['d-c', 'D-a', 'd-b', 'f2.txt', 'f4.txt', 'F1.txt', 'f3.txt'],
    };
    for (const [key, names] of Object.entries(expected)) {
      const [sort, order] = key.split(' ');
      const whole = await list('/sorted', `&sort=${sort}&order=${order}`);
      assert.deepEqual(
        whole.entries.map((e) => e.name),
        names,
        key,
      );
      for (const limit of [1, 2, 3]) {
        const paged = await listAll('/sorted', `&sort=${sort}&order=${order}`, limit);
        assert.deepEqual(
          paged.entries.map((e) => e.name),
          names,
          `${key}, limit=${limit}`,
        );
      }
    }
    // The default is by name, ascending.
    assert.deepEqual(
      (await list('/sorted')).entries.map((e) => e.name),
      expected['name asc'],
    );
  });

  test('paging through many equal sizes does not lose or repeat entries', async () => {
    await mkdir('/ties');
    for (let i = 0; i < 12; i++) await put(`/ties/t${i}.txt`, i % 3 === 0 ? 'aa' : 'bbbb');
    for (const order of ['asc', 'desc']) {
      const whole = await list('/ties', `&sort=size&order=${order}`);
      const paged = await listAll('/ties', `&sort=size&order=${order}`, 5);
      assert.deepEqual(
        paged.entries.map((e) => e.name),
        whole.entries.map((e) => e.name),
      );
      assert.equal(new Set(paged.entries.map((e) => e.name)).size, 12);
      const sizes = paged.entries.map((e) => e.size);
      assert.deepEqual(
        sizes,
        [...sizes].sort((a, b) => (order === 'asc' ? a - b : b - a)),
      );
    }
  });
});

describe('move and rename', () => {
  test('rename, move into another folder, move a folder with its contents', async () => {
    await mkdir('/mv/sub', true);
    await put('/mv/a.txt', 'AAA');
    const renamed = await client.post<Entry>('/fs/move', { from: '/mv/a.txt', to: '/mv/b.txt' });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.path, '/mv/b.txt');
    assert.equal(renamed.body.name, 'b.txt');
    assertError(await call(client, 'GET', `/fs/stat${q('/mv/a.txt')}`), 404);
    assert.equal(await text('/mv/b.txt'), 'AAA');

    const moved = await client.post<Entry>('/fs/move', { from: '/mv/b.txt', to: '/mv/sub/b.txt' });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.id, renamed.body.id);
    assert.equal(await text('/mv/sub/b.txt'), 'AAA');
    assert.deepEqual(
      (await list('/mv')).entries.map((e) => e.name),
      ['sub'],
    );

    await mkdir('/mv/other');
    const folder = await client.post<Entry>('/fs/move', { from: '/mv/sub', to: '/mv/other/renamed' });
    assert.equal(folder.status, 200);
    assert.equal(await text('/mv/other/renamed/b.txt'), 'AAA');
    assertError(await call(client, 'GET', `/fs/stat${q('/mv/sub')}`), 404);
  });

  test('a folder cannot be moved into itself or below itself: 409', async () => {
    await mkdir('/self/x/y', true);
    for (const to of ['/self/x/y/x', '/self/x/inner', '/self/x/x']) {
      assertError(
        await call(client, 'POST', '/fs/move', { json: { from: '/self/x', to } }),
        409,
        'INTO_ITSELF',
      );
    }
    assert.deepEqual(
      (await list('/self/x')).entries.map((e) => e.name),
      ['y'],
    );
    assertError(
      await call(client, 'POST', '/fs/move', { json: { from: '/', to: '/self/root' } }),
      400,
      'ROOT_PATH',
    );
  });

  test('moving onto an existing name needs overwrite, which sends the old one to the trash', async () => {
    await mkdir('/over');
    await put('/over/c.txt', 'C');
    await put('/over/d.txt', 'D');
    assertError(
      await call(client, 'POST', '/fs/move', { json: { from: '/over/c.txt', to: '/over/d.txt' } }),
      409,
      'EXISTS',
    );
    assert.equal(await text('/over/c.txt'), 'C');
    assert.equal(await text('/over/d.txt'), 'D');
    const res = await client.post('/fs/move', { from: '/over/c.txt', to: '/over/d.txt', overwrite: true });
    assert.equal(res.status, 200);
    assert.equal(await text('/over/d.txt'), 'C');
    assert.deepEqual(
      (await list('/over')).entries.map((e) => e.name),
      ['d.txt'],
    );
    const old = (await trash()).find((i) => i.originalPath === '/over/d.txt');
    assert.ok(old, 'the replaced file is not in the trash');
    // Moving a file onto its own name changes nothing.
    const same = await client.post<Entry>('/fs/move', { from: '/over/d.txt', to: '/over/d.txt' });
    assert.equal(same.status, 200);
    assert.equal(await text('/over/d.txt'), 'C');
  });
});

describe('copy', () => {
  async function storeCounts(): Promise<{ chunks: number; manifests: number; packBytes: number }> {
    const { rows } = await sql<{ chunks: number; manifests: number; packBytes: number }>`
      select (select count(*) from chunks) as chunks, (select count(*) from manifests) as manifests,
             (select coalesce(sum(size), 0) from packs) as packBytes`.execute(app.app.db);
    return rows[0]!;
  }

  test('a file copy downloads the same and shares its content', async () => {
    await mkdir('/cp');
    const bytes = randomBytes(700_000);
    const original = await put('/cp/a.bin', bytes);
    await app.app.engine.flush();
    const before = await storeCounts();
    const copy = await client.post<Entry>('/fs/copy', { from: '/cp/a.bin', to: '/cp/a-copy.bin' });
    assert.equal(copy.status, 201);
    assert.equal(copy.body.path, '/cp/a-copy.bin');
    assert.notEqual(copy.body.id, original.id);
    assert.equal(copy.body.etag, original.etag);
    assert.equal(copy.body.size, bytes.length);
    assert.ok((await client.download('/cp/a-copy.bin')).bytes.equals(bytes));
    // Metadata only: no new chunk, manifest or pack byte.
    await app.app.engine.flush();
    assert.deepEqual(await storeCounts(), before);
    // The copy is its own file: overwriting the original leaves it as it was.
    await put('/cp/a.bin', 'changed');
    assert.ok((await client.download('/cp/a-copy.bin')).bytes.equals(bytes));
    assert.equal(await text('/cp/a.bin'), 'changed');
  });

  test('a folder copy leaves what is in the trash behind', async () => {
    await mkdir('/tx');
    await put('/tx/gone.txt', 'deleted');
    await remove('/tx/gone.txt');
    await put('/tx/again.txt', 'old');
    await remove('/tx/again.txt');
    await put('/tx/again.txt', 'new');
    await put('/tx/kept.txt', 'kept');
    const usedBefore = await usedBytes(client);
    const copy = await client.post<Entry>('/fs/copy', { from: '/tx', to: '/ty' });
    assert.equal(copy.status, 201);
    const names = (await list('/ty')).entries.map((e) => e.name).sort();
    assert.deepEqual(names, ['again.txt', 'kept.txt']);
    assert.equal(await text('/ty/again.txt'), 'new');
    assert.equal(await usedBytes(client), usedBefore + 'new'.length + 'kept'.length);
  });

  test('a folder copy brings its whole tree', async () => {
    await mkdir('/cp/tree/inner/deeper', true);
    const files: Record<string, Buffer> = {
      '/cp/tree/top.txt': Buffer.from('top'),
      '/cp/tree/inner/mid.bin': randomBytes(50_000),
      '/cp/tree/inner/deeper/low.txt': Buffer.from('low'),
    };
    for (const [path, bytes] of Object.entries(files)) await put(path, bytes);
    const res = await client.post<Entry>('/fs/copy', { from: '/cp/tree', to: '/cp/tree-copy' });
    assert.equal(res.status, 201);
    assert.equal(res.body.kind, 'dir');
    for (const [path, bytes] of Object.entries(files)) {
      const copied = path.replace('/cp/tree/', '/cp/tree-copy/');
      assert.ok((await client.download(copied)).bytes.equals(bytes), copied);
    }
    assert.deepEqual(
      (await list('/cp/tree-copy')).entries.map((e) => `${e.kind}:${e.name}`),
      ['dir:inner', 'file:top.txt'],
    );
    // Changing the copy leaves the original alone.
    await put('/cp/tree-copy/top.txt', 'new top');
    assert.equal(await text('/cp/tree/top.txt'), 'top');
    // A folder cannot be copied into itself, nor a file onto itself.
    assertError(
      await call(client, 'POST', '/fs/copy', { json: { from: '/cp/tree', to: '/cp/tree/inner/x' } }),
      409,
      'INTO_ITSELF',
    );
    assertError(
      await call(client, 'POST', '/fs/copy', { json: { from: '/cp/tree/top.txt', to: '/cp/tree/top.txt' } }),
      409,
    );
    assertError(
      await call(client, 'POST', '/fs/copy', { json: { from: '/cp/tree', to: '/cp/tree-copy' } }),
      409,
      'EXISTS',
    );
  });
});

describe('trash', () => {
  test('delete → the trash shows the original path → restore → back where it was', async () => {
    await mkdir('/tr');
    await put('/tr/doc.txt', 'the document');
    const item = await remove('/tr/doc.txt');
    assert.equal(item.name, 'doc.txt');
    assert.equal(item.kind, 'file');
    assert.equal(item.size, 'the document'.length);
    assertError(await call(client, 'GET', `/fs/stat${q('/tr/doc.txt')}`), 404);
    assertError(await call(client, 'GET', `/fs/content${q('/tr/doc.txt')}`), 404);
    assert.deepEqual((await list('/tr')).entries, []);

    const restored = await client.post<{ path: string }>('/trash/restore', { id: item.id });
    assert.equal(restored.status, 200);
    assert.equal(restored.body.path, '/tr/doc.txt');
    assert.equal(await text('/tr/doc.txt'), 'the document');
    assert.ok(!(await trash()).some((i) => i.id === item.id));
    assertError(await call(client, 'POST', '/trash/restore', { json: { id: item.id } }), 404, 'NOT_FOUND');
  });

  test('a folder goes to the trash and comes back with its contents', async () => {
    await mkdir('/tr/folder/sub', true);
    await put('/tr/folder/sub/f.txt', 'inside');
    const item = await remove('/tr/folder');
    assert.equal(item.kind, 'dir');
    // Only the folder itself is an item; what is inside goes with it.
    assert.ok(!(await trash()).some((i) => i.name === 'f.txt'));
    assertError(await call(client, 'GET', `/fs/content${q('/tr/folder/sub/f.txt')}`), 404);
    assert.equal((await client.post('/trash/restore', { id: item.id })).status, 200);
    assert.equal(await text('/tr/folder/sub/f.txt'), 'inside');
  });

  test('restoring onto a name that is taken adds "(restored)"', async () => {
    await put('/tr/name.txt', 'old');
    const first = await remove('/tr/name.txt');
    await put('/tr/name.txt', 'new');
    const res = await client.post<{ path: string }>('/trash/restore', { id: first.id });
    assert.equal(res.body.path, '/tr/name (restored).txt');
    assert.equal(await text('/tr/name (restored).txt'), 'old');
    assert.equal(await text('/tr/name.txt'), 'new');

    await put('/tr/name.txt', 'newer');
    const second = await remove('/tr/name.txt');
    await put('/tr/name.txt', 'newest');
    const again = await client.post<{ path: string }>('/trash/restore', { id: second.id });
    assert.equal(again.body.path, '/tr/name (restored 2).txt');
    assert.equal(await text('/tr/name (restored 2).txt'), 'newer');
  });

  test('an item whose folder is gone is restored to the root', async () => {
    await mkdir('/tr/gone');
    await put('/tr/gone/orphan.txt', 'orphan');
    const file = await remove('/tr/gone/orphan.txt');
    await remove('/tr/gone');
    const res = await client.post<{ path: string }>('/trash/restore', { id: file.id });
    assert.equal(res.body.path, '/orphan.txt');
    assert.equal(await text('/orphan.txt'), 'orphan');
  });

  test('purge deletes one item for good; empty deletes all; usage goes down', async () => {
    await mkdir('/usage');
    const emptied = await client.post<{ purged: number }>('/trash/empty');
    assert.equal(emptied.status, 200);
    assert.deepEqual(await trash(), []);
    const start = await usedBytes(client);

    const a = randomBytes(40_000);
    const b1 = randomBytes(10_000);
    const b2 = randomBytes(15_000);
    const c = randomBytes(5_000);
    await put('/usage/a.bin', a);
    await put('/usage/b.bin', b1);
    await put('/usage/b.bin', b2); // a second version
    await put('/usage/c.bin', c);
    const full = start + a.length + b1.length + b2.length + c.length;
    assert.equal(await usedBytes(client), full);

    const purged = await remove('/usage/c.bin');
    // In the trash, bytes still count.
    assert.equal(await usedBytes(client), full);
    const purge = await client.post('/trash/purge', { id: purged.id });
    assert.equal(purge.status, 204);
    assert.equal(await usedBytes(client), full - c.length);
    assert.ok(!(await trash()).some((i) => i.id === purged.id));
    assertError(await call(client, 'POST', '/trash/restore', { json: { id: purged.id } }), 404, 'NOT_FOUND');
    assertError(await call(client, 'POST', '/trash/purge', { json: { id: purged.id } }), 404, 'NOT_FOUND');

    await remove('/usage/a.bin');
    await remove('/usage/b.bin');
    assert.equal((await trash()).length, 2);
    const res = await client.post<{ purged: number }>('/trash/empty');
    assert.equal(res.status, 200);
    assert.equal(res.body.purged, 2);
    assert.deepEqual(await trash(), []);
    assert.equal(await usedBytes(client), start);
    assertError(await call(client, 'GET', `/fs/content${q('/usage/b.bin')}`), 404);
    // A live id is not a trash item.
    const live = await client.get<Entry>(`/fs/stat${q('/usage')}`);
    assertError(await call(client, 'POST', '/trash/purge', { json: { id: live.body.id } }), 404, 'NOT_FOUND');
    assert.equal((await client.get(`/fs/stat${q('/usage')}`)).status, 200);
  });
});

describe('versions', () => {
  test('overwriting keeps versions; restoring an old one makes its bytes current', async () => {
    const v1 = Buffer.from('one');
    const v2 = Buffer.from('two two');
    const v3 = Buffer.from('three three three');
    const first = await client.upload<Entry>('/ver.txt', v1);
    assert.equal(first.status, 201);
    const second = await client.upload<Entry>('/ver.txt', v2);
    assert.equal(second.status, 200);
    assert.equal(second.body.id, first.body.id);
    await client.upload('/ver.txt', v3);
    const used = await usedBytes(client);

    const res = await client.get<{ versions: Version[] }>(`/fs/versions${q('/ver.txt')}`);
    assert.equal(res.status, 200);
    const versions = res.body.versions;
    assert.deepEqual(
      versions.map((v) => [v.size, v.current]),
      [
        [v3.length, true],
        [v2.length, false],
        [v1.length, false],
      ],
    );
    assert.equal(await text('/ver.txt'), 'three three three');

    const oldest = versions[2]!;
    const restore = await client.post('/fs/versions/restore', { path: '/ver.txt', versionId: oldest.id });
    assert.equal(restore.status, 204);
    assert.equal(await text('/ver.txt'), 'one');
    const stat = await client.get<Entry>(`/fs/stat${q('/ver.txt')}`);
    assert.equal(stat.body.size, v1.length);
    assert.equal(stat.body.etag, first.body.etag);
    // Restoring adds a version; nothing is lost.
    const after = await client.get<{ versions: Version[] }>(`/fs/versions${q('/ver.txt')}`);
    assert.equal(after.body.versions.length, 4);
    assert.equal(after.body.versions[0]!.current, true);
    assert.equal(after.body.versions[0]!.size, v1.length);
    assert.equal(await usedBytes(client), used + v1.length);
    // The overwritten bytes are still readable as a version.
    const v3id = after.body.versions.find((v) => v.size === v3.length)!.id;
    const old = await fetch(`${client.baseUrl}/api/fs/content${q('/ver.txt')}&version=${v3id}`, {
      headers: { cookie: client.cookie },
    });
    assert.equal(await old.text(), 'three three three');

    assertError(
      await call(client, 'POST', '/fs/versions/restore', { json: { path: '/ver.txt', versionId: 999_999 } }),
      404,
      'NOT_FOUND',
    );
    assertError(await call(client, 'GET', `/fs/versions${q('/docs')}`), 400, 'NOT_A_FILE');
    // overwrite=false refuses to replace.
    const refused = await call(client, 'PUT', `/fs/content${q('/ver.txt')}&overwrite=false`, { body: 'no' });
    assertError(refused, 409, 'EXISTS');
    assert.equal(await text('/ver.txt'), 'one');
  });

  test('VERSIONS_KEEP bounds the history and gives the bytes back', async () => {
    const small = await startApp({ VERSIONS_KEEP: '2' });
    const user = await ApiClient.login(small.url, 'admin', ADMIN_PASSWORD);
    const sizes = [100, 200, 300, 400, 500];
    for (const size of sizes) assert.ok((await user.upload('/kept.bin', randomBytes(size))).status < 300);
    const res = await user.get<{ versions: Version[] }>(`/fs/versions${q('/kept.bin')}`);
    // The current version and two older ones.
    assert.deepEqual(
      res.body.versions.map((v) => v.size),
      [500, 400, 300],
    );
    assert.equal(await usedBytes(user), 500 + 400 + 300);
  });
});

describe('multipart upload', () => {
  test('POST /fs/upload streams every file of a form into the folder', async () => {
    await mkdir('/mp');
    const one = Buffer.from('first file');
    const two = randomBytes(900_000);
    const form = new FormData();
    form.append('note', 'a plain field is not a file');
    form.append('file', new Blob([one]), 'one.txt');
    form.append('file', new Blob([two]), '二 two.bin');
    const res = await call(client, 'POST', `/fs/upload${q('/mp')}`, { body: form });
    assert.equal(res.status, 201, res.text);
    const body = JSON.parse(res.text) as { entries: Entry[] };
    assert.deepEqual(
      body.entries.map((e) => [e.path, e.size]),
      [
        ['/mp/one.txt', one.length],
        ['/mp/二 two.bin', two.length],
      ],
    );
    assert.ok((await client.download('/mp/one.txt')).bytes.equals(one));
    assert.ok((await client.download('/mp/二 two.bin')).bytes.equals(two));
    assert.deepEqual(
      (await list('/mp')).entries.map((e) => e.name),
      ['one.txt', '二 two.bin'],
    );

    // overwrite=false refuses a name that exists.
    const again = new FormData();
    again.append('file', new Blob(['other']), 'one.txt');
    assertError(
      await call(client, 'POST', `/fs/upload${q('/mp')}&overwrite=false`, { body: again }),
      409,
      'EXISTS',
    );
    assert.ok((await client.download('/mp/one.txt')).bytes.equals(one));
    // A file name that is not a valid name is refused, and never names the folder itself.
    for (const name of ['..', '.', '', 'sub/']) {
      const bad = new FormData();
      bad.append('file', new Blob(['x']), name);
      assertError(await call(client, 'POST', `/fs/upload${q('/mp')}`, { body: bad }), 400, 'INVALID_NAME');
    }
    // Only the last segment of a name with slashes is used: nothing lands outside the folder.
    const pathy = new FormData();
    pathy.append('file', new Blob(['escaped?']), '../../escape.txt');
    pathy.append('file', new Blob(['nested?']), 'C:\\Users\\me\\win.txt');
    const stripped = await call(client, 'POST', `/fs/upload${q('/mp')}`, { body: pathy });
    assert.equal(stripped.status, 201, stripped.text);
    assert.deepEqual(
      (JSON.parse(stripped.text) as { entries: Entry[] }).entries.map((e) => e.path),
      ['/mp/escape.txt', '/mp/win.txt'],
    );
    assertError(await call(client, 'GET', `/fs/stat${q('/escape.txt')}`), 404);
    // A file is not a folder to upload into.
    const intoFile = new FormData();
    intoFile.append('file', new Blob(['x']), 'inner.txt');
    assertError(
      await call(client, 'POST', `/fs/upload${q('/mp/one.txt')}`, { body: intoFile }),
      404,
      'NOT_FOUND',
    );
    assert.ok((await client.download('/mp/one.txt')).bytes.equals(one));
  });
});
