import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { buildApp } from '../helpers/drive.js';
import { ApiClient } from '../helpers/client.js';
import { assertError, call, createUser, q } from './support.js';

let url: string;
let admin: ApiClient;

before(async () => {
  ({ url } = await startApp());
  admin = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
});

describe('names that only look harmless', () => {
  for (const [what, name] of [
    ['a right-to-left override', 'invoice\u202etxt.exe'],
    ['a bidi isolate', 'a\u2066b'],
    ['a C1 control', 'next\u0085line'],
    ['a lone high surrogate', 'broken\ud800.txt'],
    ['a lone low surrogate', 'broken\udc00.txt'],
  ] as const) {
    test(`${what} is refused with 400 INVALID_NAME`, async () => {
      assertError(
        await call(admin, 'POST', '/fs/mkdir', { json: { path: `/${name}` } }),
        400,
        'INVALID_NAME',
      );
    });
  }

  test('emoji, joiners and right-to-left text are fine', async () => {
    for (const name of ['👩‍💻 notes', 'سلام.txt', 'नमस्ते', 'e\u0301t\u00e9']) {
      const res = await call(admin, 'POST', '/fs/mkdir', { json: { path: `/${name}` } });
      assert.equal(res.status, 201, `${name}: ${res.text}`);
    }
  });
});

describe('path limits', () => {
  test('a path deeper than 256 folders is refused', async () => {
    const deep = `/${Array.from({ length: 257 }, () => 'd').join('/')}`;
    assertError(
      await call(admin, 'POST', '/fs/mkdir', { json: { path: deep, parents: true } }),
      400,
      'INVALID_NAME',
    );
  });

  test('a path longer than 4096 bytes is refused', async () => {
    const long = `/${Array.from({ length: 20 }, () => 'x'.repeat(250)).join('/')}`;
    assertError(
      await call(admin, 'POST', '/fs/mkdir', { json: { path: long, parents: true } }),
      400,
      'INVALID_NAME',
    );
  });
});

describe('restoring onto a taken long name', () => {
  test('the "(restored)" name still fits in 255 bytes and stays usable', async () => {
    const name = `${'n'.repeat(250)}.txt`;
    assert.equal((await admin.upload(`/${name}`, 'first')).status, 201);
    assert.equal((await call(admin, 'POST', '/fs/delete', { json: { path: `/${name}` } })).status, 204);
    assert.equal((await admin.upload(`/${name}`, 'second')).status, 201);
    const trash = await admin.get<{ items: { id: number; name: string }[] }>('/trash');
    const item = trash.body.items.find((i) => i.name === name)!;
    const restored = await admin.post<{ path: string }>('/trash/restore', { id: item.id });
    assert.equal(restored.status, 200);
    const restoredName = restored.body.path.slice(1);
    assert.notEqual(restoredName, name);
    assert.ok(Buffer.byteLength(restoredName) <= 255, `${Buffer.byteLength(restoredName)} bytes`);
    assert.match(restoredName, /\(restored\)\.txt$/);
    assert.equal((await admin.download(restored.body.path)).bytes.toString(), 'first');
    assert.equal((await call(admin, 'GET', `/fs/stat${q(restored.body.path)}`)).status, 200);
  });
});

describe('usernames are unique regardless of case', () => {
  test('creating "ALICE" next to "alice" is 409 USERNAME_TAKEN', async () => {
    await createUser(admin, 'alice', 'alice-password-1');
    const res = await call(admin, 'POST', '/admin/users', {
      json: { username: 'ALICE', password: 'another-pass-1' },
    });
    assertError(res, 409, 'USERNAME_TAKEN');
    assert.equal((await ApiClient.login(url, 'Alice', 'alice-password-1')).csrfToken.length > 0, true);
  });

  test('SYS_TOKEN takes over an existing "Admin" account at start-up instead of failing', async () => {
    const first = await buildApp({ SYS_TOKEN: '' });
    await first.app.drive.users.setup('Admin', 'setup-password-1');
    await first.close();
    const second = await buildApp({ DATA_DIR: first.dataDir, SYS_TOKEN: 'the-sys-token-1' });
    const admin = await second.app.drive.users.authenticate('admin', 'the-sys-token-1');
    assert.equal(admin.role, 'admin');
    assert.equal((await second.app.drive.users.list()).length, 1);
  });
});
