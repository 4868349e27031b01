import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import type { TrashItem } from '../../src/drive/trash.js';
import type { VersionInfo } from '../../src/drive/versions.js';
import { assertError, call, createUser, q, raw, usedBytes, type Entry, type PublicUser } from './support.js';

type Version = VersionInfo;

let admin: ApiClient;
let alice: ApiClient;
let bob: ApiClient;
let bobUser: PublicUser;
/** Bob's state, to check after each of Alice's attempts. */
let bobTrashId: number;
let bobVersionIds: number[];
let bobFileId: number;
let bobUsed: number;

const SECRET = 'bob secret v2';

before(async () => {
  const { url } = await startApp();
  admin = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
  await createUser(admin, 'alice', 'alice-password');
  bobUser = await createUser(admin, 'bob', 'bob-password', { quotaBytes: 1_000_000 });
  alice = await ApiClient.login(url, 'alice', 'alice-password');
  bob = await ApiClient.login(url, 'bob', 'bob-password');

  assert.equal((await bob.post('/fs/mkdir', { path: '/private/deep', parents: true })).status, 201);
  assert.equal((await bob.upload('/private/secret.txt', 'bob secret v1')).status, 201);
  const v2 = await bob.upload<Entry>('/private/secret.txt', SECRET);
  assert.equal(v2.status, 200);
  bobFileId = v2.body.id;
  assert.equal((await bob.upload('/private/deep/inner.txt', 'inner')).status, 201);
  assert.equal((await bob.upload('/trashed.txt', 'bob trashed')).status, 201);
  assert.equal((await bob.post('/fs/delete', { path: '/trashed.txt' })).status, 204);
  const trash = await bob.get<{ items: TrashItem[] }>('/trash');
  bobTrashId = trash.body.items.find((i) => i.originalPath === '/trashed.txt')!.id;
  const versions = await bob.get<{ versions: Version[] }>(`/fs/versions${q('/private/secret.txt')}`);
  bobVersionIds = versions.body.versions.map((v) => v.id);
  assert.equal(bobVersionIds.length, 2);
  bobUsed = await usedBytes(bob);
});

/** Bob's files, trash and usage are exactly as he left them. */
async function bobUntouched(): Promise<void> {
  assert.equal((await bob.download('/private/secret.txt')).bytes.toString(), SECRET);
  assert.equal((await bob.download('/private/deep/inner.txt')).bytes.toString(), 'inner');
  const list = await bob.get<{ entries: Entry[] }>(`/fs/list${q('/private')}`);
  assert.deepEqual(
    list.body.entries.map((e) => e.name),
    ['deep', 'secret.txt'],
  );
  const root = await bob.get<{ entries: Entry[] }>(`/fs/list${q('/')}`);
  assert.deepEqual(
    root.body.entries.map((e) => e.name),
    ['private'],
  );
  const trash = await bob.get<{ items: TrashItem[] }>('/trash');
  assert.deepEqual(
    trash.body.items.map((i) => i.id),
    [bobTrashId],
  );
  const versions = await bob.get<{ versions: Version[] }>(`/fs/versions${q('/private/secret.txt')}`);
  assert.deepEqual(
    versions.body.versions.map((v) => v.id),
    bobVersionIds,
  );
  assert.equal(await usedBytes(bob), bobUsed);
}

describe('user A cannot reach user B', () => {
  test('each user sees only their own tree', async () => {
    const root = await alice.get<{ entries: Entry[] }>(`/fs/list${q('/')}`);
    assert.equal(root.status, 200);
    assert.deepEqual(root.body.entries, []);
    const me = await alice.get<{ user: PublicUser }>('/me');
    assert.equal(me.body.user.username, 'alice');
    assert.equal(me.body.user.usedBytes, 0);
    // Not even the admin's own listing shows Bob's files: every user has their own root.
    const adminRoot = await admin.get<{ entries: Entry[] }>(`/fs/list${q('/')}`);
    assert.ok(!adminRoot.body.entries.some((e) => e.name === 'private'));
  });

  test('list, stat, read, HEAD and versions of B paths are 404 for A', async () => {
    for (const path of ['/private', '/private/deep']) {
      assertError(await call(alice, 'GET', `/fs/list${q(path)}`), 404, 'NOT_FOUND');
    }
    for (const path of ['/private', '/private/secret.txt', '/private/deep/inner.txt', '/trashed.txt']) {
      assertError(await call(alice, 'GET', `/fs/stat${q(path)}`), 404, 'NOT_FOUND');
    }
    for (const path of ['/private/secret.txt', '/private/deep/inner.txt']) {
      const read = await call(alice, 'GET', `/fs/content${q(path)}`, { headers: { range: 'bytes=0-3' } });
      assertError(read, 404, 'NOT_FOUND');
      assert.ok(!read.text.includes('bob'));
      const head = await raw(`${alice.baseUrl}/api/fs/content${q(path)}`, {
        method: 'HEAD',
        headers: alice.headers(),
      });
      assert.equal(head.status, 404);
      assertError(await call(alice, 'GET', `/fs/versions${q(path)}`), 404, 'NOT_FOUND');
    }
    await bobUntouched();
  });

  test('B version ids do not open or restore anything for A, even on a file of the same path', async () => {
    assert.equal((await alice.post('/fs/mkdir', { path: '/private' })).status, 201);
    assert.equal((await alice.upload('/private/secret.txt', 'alice own')).status, 201);
    for (const id of bobVersionIds) {
      const read = await call(alice, 'GET', `/fs/content${q('/private/secret.txt')}&version=${id}`);
      assertError(read, 404, 'NOT_FOUND');
      assert.ok(!read.text.includes('bob'));
      const restore = await call(alice, 'POST', '/fs/versions/restore', {
        json: { path: '/private/secret.txt', versionId: id },
      });
      assertError(restore, 404, 'NOT_FOUND');
    }
    assert.equal((await alice.download('/private/secret.txt')).bytes.toString(), 'alice own');
    const aliceVersions = await alice.get<{ versions: Version[] }>(`/fs/versions${q('/private/secret.txt')}`);
    assert.equal(aliceVersions.body.versions.length, 1);
    assert.ok(!bobVersionIds.includes(aliceVersions.body.versions[0]!.id));
    // Alice's same-named file is hers alone.
    const aliceStat = await alice.get<Entry>(`/fs/stat${q('/private/secret.txt')}`);
    assert.notEqual(aliceStat.body.id, bobFileId);
    await bobUntouched();
    // Clean up Alice's copy so later tests see B paths as missing for her again.
    assert.equal((await alice.post('/fs/delete', { path: '/private' })).status, 204);
    assert.equal((await alice.post('/trash/empty')).status, 200);
  });

  test('writes, overwrites, mkdir, move, copy and delete of B paths fail for A and change nothing', async () => {
    const attempts = [
      call(alice, 'PUT', `/fs/content${q('/private/secret.txt')}`, { body: 'overwritten by alice' }),
      call(alice, 'PUT', `/fs/content${q('/private/new.txt')}`, { body: 'planted by alice' }),
      call(alice, 'PUT', `/fs/content${q('/private/deep/inner.txt')}&overwrite=true`, { body: 'x' }),
      call(alice, 'POST', `/fs/upload${q('/private')}`, { body: form('planted.txt', 'x') }),
      call(alice, 'POST', '/fs/mkdir', { json: { path: '/private/alice-dir' } }),
      call(alice, 'POST', '/fs/move', { json: { from: '/private/secret.txt', to: '/stolen.txt' } }),
      call(alice, 'POST', '/fs/move', { json: { from: '/private', to: '/stolen' } }),
      call(alice, 'POST', '/fs/copy', { json: { from: '/private/secret.txt', to: '/stolen.txt' } }),
      call(alice, 'POST', '/fs/copy', { json: { from: '/private', to: '/stolen' } }),
      call(alice, 'POST', '/fs/delete', { json: { path: '/private/secret.txt' } }),
      call(alice, 'POST', '/fs/delete', { json: { path: '/private' } }),
    ];
    for (const res of await Promise.all(attempts)) assertError(res, 404, 'NOT_FOUND');
    // mkdir with parents, or writing into a new folder of the same name, only ever touches A's tree.
    assert.equal((await alice.post('/fs/mkdir', { path: '/private/x', parents: true })).status, 201);
    assert.equal((await alice.upload('/private/secret.txt', 'alice')).status, 201);
    // Moving and copying into a B path lands in A's own tree.
    assert.equal(
      (await alice.post('/fs/copy', { from: '/private/secret.txt', to: '/private/deep' })).status,
      201,
    );
    const aliceRoot = await alice.get<{ entries: Entry[] }>(`/fs/list${q('/private')}`);
    assert.deepEqual(
      aliceRoot.body.entries.map((e) => `${e.kind}:${e.name}`),
      ['dir:x', 'file:deep', 'file:secret.txt'],
    );
    assertError(await call(alice, 'GET', `/fs/stat${q('/stolen.txt')}`), 404);
    await bobUntouched();
    assert.equal((await alice.post('/fs/delete', { path: '/private' })).status, 204);
    assert.equal((await alice.post('/trash/empty')).status, 200);
  });

  test("B's trash item ids are 404 for A: list, restore and purge", async () => {
    const aliceTrash = await alice.get<{ items: TrashItem[] }>('/trash');
    assert.equal(aliceTrash.status, 200);
    assert.ok(!aliceTrash.body.items.some((i) => i.id === bobTrashId));
    assertError(await call(alice, 'POST', '/trash/restore', { json: { id: bobTrashId } }), 404, 'NOT_FOUND');
    assertError(await call(alice, 'POST', '/trash/purge', { json: { id: bobTrashId } }), 404, 'NOT_FOUND');
    // Emptying A's trash leaves B's alone.
    assert.equal((await alice.post('/trash/empty')).status, 200);
    // Live B node ids are not trash items either.
    assertError(await call(alice, 'POST', '/trash/purge', { json: { id: bobFileId } }), 404, 'NOT_FOUND');
    assertError(await call(alice, 'POST', '/trash/restore', { json: { id: bobFileId } }), 404, 'NOT_FOUND');
    // Ids of B's root and of every small number are refused too.
    for (let id = 1; id <= 40; id++) {
      const purge = await call(alice, 'POST', '/trash/purge', { json: { id } });
      const restore = await call(alice, 'POST', '/trash/restore', { json: { id } });
      assertError(purge, 404, 'NOT_FOUND');
      assertError(restore, 404, 'NOT_FOUND');
    }
    await bobUntouched();
    assert.equal((await alice.get<{ items: TrashItem[] }>('/trash')).body.items.length, 0);
  });

  test("A's trash holds only A's items, and B can still restore B's", async () => {
    assert.equal((await alice.upload('/mine.txt', 'alice file')).status, 201);
    assert.equal((await alice.post('/fs/delete', { path: '/mine.txt' })).status, 204);
    const aliceItems = (await alice.get<{ items: TrashItem[] }>('/trash')).body.items;
    assert.deepEqual(
      aliceItems.map((i) => i.originalPath),
      ['/mine.txt'],
    );
    assertError(
      await call(bob, 'POST', '/trash/restore', { json: { id: aliceItems[0]!.id } }),
      404,
      'NOT_FOUND',
    );
    assertError(
      await call(bob, 'POST', '/trash/purge', { json: { id: aliceItems[0]!.id } }),
      404,
      'NOT_FOUND',
    );
    assert.equal((await alice.post('/trash/restore', { id: aliceItems[0]!.id })).status, 200);
    assert.equal((await alice.download('/mine.txt')).bytes.toString(), 'alice file');
    await bobUntouched();
  });
});

describe('admin API', () => {
  test('a non-admin gets 403 on /api/admin/* and changes nothing', async () => {
    const calls = [
      call(alice, 'GET', '/admin/users'),
      call(alice, 'POST', '/admin/users', {
        json: { username: 'mallory', password: 'mallory-password', role: 'admin' },
      }),
      call(alice, 'PATCH', `/admin/users/${bobUser.id}`, {
        json: { quotaBytes: 1, password: 'taken-over-1' },
      }),
      call(alice, 'PATCH', `/admin/users/${bobUser.id}`, { json: { disabled: true } }),
      call(alice, 'GET', '/admin/store'),
    ];
    for (const res of await Promise.all(calls)) assertError(res, 403, 'ADMIN_ONLY');
    // Not even about themselves.
    const me = (await alice.get<{ user: PublicUser }>('/me')).body.user;
    assertError(
      await call(alice, 'PATCH', `/admin/users/${me.id}`, { json: { role: 'admin' } }),
      403,
      'ADMIN_ONLY',
    );
    assert.equal((await alice.get<{ user: PublicUser }>('/me')).body.user.role, 'user');

    const users = await admin.get<{ users: PublicUser[] }>('/admin/users');
    assert.ok(!users.body.users.some((u) => u.username === 'mallory'));
    const bobNow = users.body.users.find((u) => u.id === bobUser.id)!;
    assert.equal(bobNow.quotaBytes, 1_000_000);
    assert.equal(bobNow.disabled, false);
    // Bob's password and session still work.
    assert.equal((await bob.get('/me')).status, 200);
    await ApiClient.login(bob.baseUrl, 'bob', 'bob-password');
    assertError(
      await raw(`${bob.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bob', password: 'taken-over-1' }),
      }),
      401,
    );
    await bobUntouched();
  });

  test('without a session /api/admin/* is 401', async () => {
    assertError(await raw(`${admin.baseUrl}/api/admin/users`), 401, 'UNAUTHORIZED');
  });
});

function form(name: string, content: string): FormData {
  const data = new FormData();
  data.append('file', new Blob([content]), name);
  return data;
}
