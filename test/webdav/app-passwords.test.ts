import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { AppPassword } from '../../src/drive/app-passwords.js';
import type { Drive } from '../../src/drive/drive.js';
import type { UserService } from '../../src/drive/users.js';
import { TooManyRequestsError } from '../../src/errors/domain-error.js';
import { LoginRateLimit } from '../../src/http/login-rate-limit.js';
import { createDavAuthenticator } from '../../src/webdav/authenticator.js';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { assertError, call, createUser, raw } from '../http/support.js';

interface Created {
  appPassword: AppPassword;
  password: string;
}

const ALICE_PASSWORD = 'alice-password-1';
const BOB_PASSWORD = 'bob-password-1';

describe('app passwords through the API', () => {
  let app: RunningApp;
  let admin: ApiClient;
  let alice: ApiClient;
  let bob: ApiClient;

  before(async () => {
    app = await startApp();
    admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    await createUser(admin, 'alice', ALICE_PASSWORD);
    await createUser(admin, 'bob', BOB_PASSWORD);
    alice = await ApiClient.login(app.url, 'alice', ALICE_PASSWORD);
    bob = await ApiClient.login(app.url, 'bob', BOB_PASSWORD);
    assert.equal((await alice.post('/fs/mkdir', { path: '/Photos/2024', parents: true })).status, 201);
    assert.equal((await alice.upload('/notes.txt', 'hello')).status, 201);
  });

  test('create returns the secret once; list shows everything but the secret', async () => {
    const res = await call(alice, 'POST', '/app-passwords', {
      json: { label: 'phone', readOnly: true, root: '/Photos' },
    });
    assert.equal(res.status, 201, res.text);
    const created = JSON.parse(res.text) as Created;
    assert.match(created.password, /^[a-z2-7]{5}(-[a-z2-7]{5}){5}$/);
    assert.equal(created.appPassword.label, 'phone');
    assert.equal(created.appPassword.readOnly, true);
    assert.equal(created.appPassword.root, '/Photos');
    assert.equal(created.appPassword.lastUsedAt, null);
    assert.equal(typeof created.appPassword.createdAt, 'number');
    assert.deepEqual(Object.keys(created.appPassword).sort(), [
      'createdAt',
      'id',
      'label',
      'lastUsedAt',
      'readOnly',
      'root',
    ]);

    const list = await call(alice, 'GET', '/app-passwords');
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes(created.password), 'the list shows the secret');
    const { appPasswords } = JSON.parse(list.text) as { appPasswords: AppPassword[] };
    assert.deepEqual(
      appPasswords.find((p) => p.id === created.appPassword.id),
      created.appPassword,
    );
  });

  test('two app passwords never share a secret; the defaults are read-write on the whole drive', async () => {
    const a = JSON.parse(
      (await call(alice, 'POST', '/app-passwords', { json: { label: 'a' } })).text,
    ) as Created;
    const b = JSON.parse(
      (await call(alice, 'POST', '/app-passwords', { json: { label: 'b' } })).text,
    ) as Created;
    assert.notEqual(a.password, b.password);
    assert.equal(a.appPassword.readOnly, false);
    assert.equal(a.appPassword.root, '/');
  });

  test('the root is stored in its normal form', async () => {
    const res = await call(alice, 'POST', '/app-passwords', { json: { label: 'x', root: 'Photos//2024/' } });
    assert.equal(res.status, 201, res.text);
    assert.equal((JSON.parse(res.text) as Created).appPassword.root, '/Photos/2024');
  });

  test('bad input gets a clear 4xx', async () => {
    const post = (json: unknown) => call(alice, 'POST', '/app-passwords', { json });
    assertError(await post({}), 400, 'INVALID_INPUT');
    assertError(await post({ label: '   ' }), 400, 'BAD_LABEL');
    assertError(await post({ label: 'x'.repeat(101) }), 400, 'INVALID_INPUT');
    assertError(await post({ label: 'x', readOnly: 'yes' }), 400, 'INVALID_INPUT');
    assertError(await post({ label: 'x', root: '/nowhere' }), 404);
    assertError(await post({ label: 'x', root: '/notes.txt' }), 400, 'NOT_A_FOLDER');
    assertError(await post({ label: 'x', root: '/Photos/../..' }), 400, 'INVALID_NAME');
    assertError(await post({ label: 'x', root: '/a\u0000b' }), 400, 'INVALID_NAME');
    assertError(await call(alice, 'DELETE', '/app-passwords/abc'), 400, 'INVALID_INPUT');
  });

  test('signing in and the CSRF token are required', async () => {
    assertError(await raw(`${app.url}/api/app-passwords`), 401);
    const noCsrf = await raw(`${app.url}/api/app-passwords`, {
      method: 'POST',
      headers: { cookie: alice.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'x' }),
    });
    assertError(noCsrf, 403, 'CSRF');
    const created = JSON.parse(
      (await call(alice, 'POST', '/app-passwords', { json: { label: 'y' } })).text,
    ) as Created;
    const deleteNoCsrf = await raw(`${app.url}/api/app-passwords/${created.appPassword.id}`, {
      method: 'DELETE',
      headers: { cookie: alice.cookie },
    });
    assertError(deleteNoCsrf, 403, 'CSRF');
  });

  test('revoke removes it; users see and revoke only their own', async () => {
    const created = JSON.parse(
      (await call(alice, 'POST', '/app-passwords', { json: { label: 'laptop' } })).text,
    ) as Created;
    const id = created.appPassword.id;

    const bobs = JSON.parse((await call(bob, 'GET', '/app-passwords')).text) as {
      appPasswords: AppPassword[];
    };
    assert.deepEqual(bobs.appPasswords, []);
    assertError(await call(bob, 'DELETE', `/app-passwords/${id}`), 404);

    const revoked = await call(alice, 'DELETE', `/app-passwords/${id}`);
    assert.equal(revoked.status, 204, revoked.text);
    const list = JSON.parse((await call(alice, 'GET', '/app-passwords')).text) as {
      appPasswords: AppPassword[];
    };
    assert.ok(!list.appPasswords.some((p) => p.id === id));
    assertError(await call(alice, 'DELETE', `/app-passwords/${id}`), 404);
  });

  test('an app password does not sign in to the JSON API', async () => {
    const created = JSON.parse(
      (await call(alice, 'POST', '/app-passwords', { json: { label: 'z' } })).text,
    ) as Created;
    const res = await raw(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: created.password }),
    });
    assertError(res, 401);
  });
});

/** The user service with its password checks (argon2) counted. */
function countingDrive(drive: Drive): { drive: Drive; argonChecks: () => number } {
  let checks = 0;
  const users = Object.create(drive.users) as UserService;
  users.authenticate = (username, password) => {
    checks++;
    return drive.users.authenticate(username, password);
  };
  return { drive: { ...drive, users }, argonChecks: () => checks };
}

describe('the WebDAV authenticator', () => {
  let app: RunningApp;
  let admin: ApiClient;
  let carol: ApiClient;
  let drive: Drive;

  before(async () => {
    app = await startApp();
    drive = app.app.drive;
    admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    await createUser(admin, 'carol', 'carol-password-1');
    carol = await ApiClient.login(app.url, 'carol', 'carol-password-1');
    assert.equal((await carol.post('/fs/mkdir', { path: '/Photos' })).status, 201);
  });

  async function appPassword(client: ApiClient, json: object): Promise<Created> {
    const res = await call(client, 'POST', '/app-passwords', { json });
    assert.equal(res.status, 201, res.text);
    return JSON.parse(res.text) as Created;
  }

  test("the user's own password: the whole drive, read-write; wrong ones give null", async () => {
    const authenticate = createDavAuthenticator(drive);
    const principal = await authenticate('carol', 'carol-password-1', '127.0.0.1');
    assert.ok(principal);
    assert.equal(principal.username, 'carol');
    assert.equal(principal.readOnly, false);
    assert.equal(principal.root, '/');
    assert.equal(await authenticate('carol', 'wrong-password', '127.0.0.1'), null);
    assert.equal(await authenticate('nobody', 'carol-password-1', '127.0.0.1'), null);
    assert.equal(await authenticate('', '', '127.0.0.1'), null);
    // Usernames match regardless of case, as at sign-in.
    assert.equal((await authenticate('CAROL', 'carol-password-1', '127.0.0.1'))?.username, 'carol');
  });

  test("an app password carries its flags, works only with its owner's name, and records its use", async () => {
    const authenticate = createDavAuthenticator(drive);
    const created = await appPassword(carol, { label: 'phone', readOnly: true, root: '/Photos' });
    const principal = await authenticate('carol', created.password, '127.0.0.1');
    assert.ok(principal);
    assert.equal(principal.readOnly, true);
    assert.equal(principal.root, '/Photos');
    assert.equal(await authenticate('admin', created.password, '127.0.0.1'), null);

    const list = JSON.parse((await call(carol, 'GET', '/app-passwords')).text) as {
      appPasswords: AppPassword[];
    };
    const listed = list.appPasswords.find((p) => p.id === created.appPassword.id);
    assert.equal(typeof listed?.lastUsedAt, 'number');
  });

  test('a verified sign-in is remembered: repeated and parallel requests cost one argon2 check', async () => {
    const counted = countingDrive(drive);
    const authenticate = createDavAuthenticator(counted.drive);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => authenticate('carol', 'carol-password-1', '127.0.0.1')),
    );
    assert.ok(results.every((p) => p?.username === 'carol'));
    for (let i = 0; i < 100; i++) assert.ok(await authenticate('carol', 'carol-password-1', '127.0.0.1'));
    assert.equal(counted.argonChecks(), 1);
    // App passwords never need argon2.
    const created = await appPassword(carol, { label: 'fast' });
    for (let i = 0; i < 10; i++) assert.ok(await authenticate('carol', created.password, '127.0.0.1'));
    assert.equal(counted.argonChecks(), 1);
  });

  test('a remembered sign-in stops working at once when its app password is revoked', async () => {
    const authenticate = createDavAuthenticator(drive);
    const created = await appPassword(carol, { label: 'revoked soon' });
    assert.ok(await authenticate('carol', created.password, '127.0.0.1'));
    assert.equal((await call(carol, 'DELETE', `/app-passwords/${created.appPassword.id}`)).status, 204);
    assert.equal(await authenticate('carol', created.password, '127.0.0.1'), null);
  });

  test('a remembered sign-in stops working at once when the password changes or the user is disabled', async () => {
    await createUser(admin, 'dave', 'dave-password-1');
    const dave = await ApiClient.login(app.url, 'dave', 'dave-password-1');
    const created = await appPassword(dave, { label: 'laptop' });
    const authenticate = createDavAuthenticator(drive);
    assert.ok(await authenticate('dave', 'dave-password-1', '127.0.0.1'));
    assert.ok(await authenticate('dave', created.password, '127.0.0.1'));

    const changed = await dave.post('/auth/password', {
      currentPassword: 'dave-password-1',
      newPassword: 'dave-password-2',
    });
    assert.equal(changed.status, 200);
    assert.equal(await authenticate('dave', 'dave-password-1', '127.0.0.1'), null);
    assert.ok(await authenticate('dave', 'dave-password-2', '127.0.0.1'));
    // App passwords are separate credentials: a password change leaves them.
    assert.ok(await authenticate('dave', created.password, '127.0.0.1'));

    const users = JSON.parse((await call(admin, 'GET', '/admin/users')).text) as {
      users: { id: number; username: string }[];
    };
    const id = users.users.find((u) => u.username === 'dave')!.id;
    assert.equal((await admin.request('PATCH', `/admin/users/${id}`, { disabled: true })).status, 200);
    assert.equal(await authenticate('dave', 'dave-password-2', '127.0.0.1'), null);
    assert.equal(await authenticate('dave', created.password, '127.0.0.1'), null);
  });

  test('failures are rate-limited per client address, as at sign-in (429), and a success is not counted', async () => {
    const limits = {
      perClient: new LoginRateLimit({ maxFailures: 3, windowMs: 60_000 }),
      perAccount: new LoginRateLimit({ maxFailures: 100, windowMs: 60_000 }),
    };
    const authenticate = createDavAuthenticator(drive, { limits });
    const ip = '192.0.2.7';
    assert.ok(await authenticate('carol', 'carol-password-1', ip));
    for (let i = 0; i < 3; i++) assert.equal(await authenticate('carol', `wrong-${i}`, ip), null);
    await assert.rejects(authenticate('carol', 'wrong-again', ip), TooManyRequestsError);
    // Locked out: even a right password not verified before is refused, so the limit is no oracle.
    const created = await appPassword(carol, { label: 'during lockout' });
    await assert.rejects(authenticate('carol', created.password, ip), TooManyRequestsError);
    // Other addresses are not affected.
    assert.ok(await authenticate('carol', created.password, '192.0.2.8'));
  });

  test('failures are rate-limited per account too', async () => {
    const limits = {
      perClient: new LoginRateLimit({ maxFailures: 100, windowMs: 60_000 }),
      perAccount: new LoginRateLimit({ maxFailures: 2, windowMs: 60_000 }),
    };
    const authenticate = createDavAuthenticator(drive, { limits });
    assert.equal(await authenticate('carol', 'wrong-1', '198.51.100.1'), null);
    assert.equal(await authenticate('Carol', 'wrong-2', '198.51.100.2'), null);
    await assert.rejects(authenticate('carol', 'carol-password-1', '198.51.100.3'), TooManyRequestsError);
  });

  test('the remembered sign-ins expire', async () => {
    let clock = 1_000_000;
    const counted = countingDrive(drive);
    const authenticate = createDavAuthenticator(counted.drive, { cacheTtlMs: 1000, now: () => clock });
    assert.ok(await authenticate('carol', 'carol-password-1', '127.0.0.1'));
    clock += 999;
    assert.ok(await authenticate('carol', 'carol-password-1', '127.0.0.1'));
    assert.equal(counted.argonChecks(), 1);
    clock += 1;
    assert.ok(await authenticate('carol', 'carol-password-1', '127.0.0.1'));
    assert.equal(counted.argonChecks(), 2);
  });
});

describe('app passwords on the WebDAV mount', () => {
  let app: RunningApp;
  let erin: ApiClient;
  let readOnly: string;
  let rooted: string;

  const basic = (password: string) => `Basic ${Buffer.from(`erin:${password}`).toString('base64')}`;
  const dav = (
    password: string,
    method: string,
    davPath: string,
    headers: Record<string, string> = {},
    body?: string,
  ) =>
    raw(`${app.url}/dav${davPath}`, {
      method,
      headers: { authorization: basic(password), ...headers },
      body,
    });

  async function exists(drivePath: string): Promise<boolean> {
    return (await call(erin, 'GET', `/fs/stat?path=${encodeURIComponent(drivePath)}`)).status === 200;
  }

  async function create(json: object): Promise<string> {
    const res = await call(erin, 'POST', '/app-passwords', { json });
    assert.equal(res.status, 201, res.text);
    return (JSON.parse(res.text) as Created).password;
  }

  before(async () => {
    app = await startApp();
    const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    await createUser(admin, 'erin', 'erin-password-1');
    erin = await ApiClient.login(app.url, 'erin', 'erin-password-1');
    assert.equal((await erin.post('/fs/mkdir', { path: '/Photos' })).status, 201);
    assert.equal((await erin.upload('/Photos/cat.jpg', 'meow')).status, 201);
    assert.equal((await erin.upload('/secret.txt', 'outside')).status, 201);
    readOnly = await create({ label: 'viewer', readOnly: true });
    rooted = await create({ label: 'photos', root: '/Photos' });
  });

  test('wrong and revoked passwords get 401 with a Basic challenge', async () => {
    const wrong = await dav('not-the-password', 'PROPFIND', '/', { depth: '0' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic realm="hubdrive"/);
    const secret = await create({ label: 'short-lived' });
    assert.equal((await dav(secret, 'PROPFIND', '/', { depth: '0' })).status, 207);
    const list = JSON.parse((await call(erin, 'GET', '/app-passwords')).text) as {
      appPasswords: AppPassword[];
    };
    const id = list.appPasswords.find((p) => p.label === 'short-lived')!.id;
    assert.equal((await call(erin, 'DELETE', `/app-passwords/${id}`)).status, 204);
    assert.equal((await dav(secret, 'PROPFIND', '/', { depth: '0' })).status, 401);
  });

  test('a read-only app password reads, and every write method gets 403 with nothing changed', async () => {
    assert.equal((await dav(readOnly, 'GET', '/secret.txt')).text, 'outside');
    assert.equal((await dav(readOnly, 'PROPFIND', '/', { depth: '1' })).status, 207);
    const destination = { destination: `${app.url}/dav/copied.txt` };
    const attempts: [string, string, Record<string, string>, string?][] = [
      ['PUT', '/new.txt', {}, 'data'],
      ['PUT', '/secret.txt', {}, 'overwritten'],
      ['MKCOL', '/folder', {}],
      ['DELETE', '/secret.txt', {}],
      ['DELETE', '/Photos', {}],
      ['COPY', '/secret.txt', destination],
      ['MOVE', '/secret.txt', destination],
      [
        'PROPPATCH',
        '/secret.txt',
        { 'content-type': 'application/xml' },
        '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:x">1</x></D:prop></D:set></D:propertyupdate>',
      ],
      [
        'LOCK',
        '/secret.txt',
        { 'content-type': 'application/xml' },
        '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
      ],
    ];
    for (const [method, davPath, headers, body] of attempts) {
      const res = await dav(readOnly, method, davPath, headers, body);
      assert.equal(res.status, 403, `${method} ${davPath}: ${res.status} ${res.text}`);
    }
    assert.ok(!(await exists('/new.txt')));
    assert.ok(!(await exists('/folder')));
    assert.ok(!(await exists('/copied.txt')));
    assert.ok(await exists('/Photos/cat.jpg'));
    assert.equal((await erin.download('/secret.txt')).bytes.toString(), 'outside');
  });

  test('an app password rooted at /Photos sees that folder as the whole drive, and nothing outside', async () => {
    const listing = await dav(rooted, 'PROPFIND', '/', { depth: '1' });
    assert.equal(listing.status, 207);
    assert.ok(listing.text.includes('cat.jpg'), listing.text);
    assert.ok(!listing.text.includes('secret.txt'), listing.text);
    // The hrefs start at the root folder: /dav/cat.jpg, not /dav/Photos/cat.jpg.
    assert.ok(listing.text.includes('/dav/cat.jpg'), listing.text);
    assert.ok(!listing.text.includes('/dav/Photos'), listing.text);
    assert.equal((await dav(rooted, 'GET', '/cat.jpg')).text, 'meow');
    assert.equal((await dav(rooted, 'GET', '/secret.txt')).status, 404);
    assert.equal((await dav(rooted, 'GET', '/Photos/cat.jpg')).status, 404);

    assert.equal((await dav(rooted, 'PUT', '/dog.jpg', {}, 'woof')).status, 201);
    assert.equal((await erin.download('/Photos/dog.jpg')).bytes.toString(), 'woof');
    assert.ok(!(await exists('/dog.jpg')));

    // A Destination cannot climb out of the root either.
    for (const target of ['/dav/../escaped.jpg', '/dav/%2e%2e/escaped.jpg', '/escaped.jpg']) {
      const res = await dav(rooted, 'COPY', '/dog.jpg', { destination: `${app.origin}${target}` });
      assert.ok(res.status >= 400, `COPY to ${target}: ${res.status}`);
    }
    assert.ok(!(await exists('/escaped.jpg')));
  });

  test('a mount rooted at /Photos cannot release a lock taken above it by a full-access client', async () => {
    const body =
      '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>' +
      '<D:locktype><D:write/></D:locktype></D:lockinfo>';
    const locked = await dav('erin-password-1', 'LOCK', '/', { depth: 'infinity' }, body);
    assert.equal(locked.status, 200, locked.text);
    const token = locked.headers.get('lock-token')!;
    assert.equal((await dav(rooted, 'UNLOCK', '/cat.jpg', { 'lock-token': token })).status, 409);
    assert.equal((await dav('erin-password-1', 'UNLOCK', '/', { 'lock-token': token })).status, 204);
  });
});

describe('WebDAV sign-in limits', () => {
  test('failed WebDAV sign-ins count against the same limit as the login route (429 with Retry-After)', async () => {
    const app = await startApp();
    const wrong = `Basic ${Buffer.from('admin:wrong-password').toString('base64')}`;
    for (let i = 0; i < 10; i++) {
      const res = await raw(`${app.url}/dav/`, {
        method: 'PROPFIND',
        headers: { authorization: wrong, depth: '0' },
      });
      assert.equal(res.status, 401, `attempt ${i + 1}`);
    }
    const limited = await raw(`${app.url}/dav/`, {
      method: 'PROPFIND',
      headers: { authorization: wrong, depth: '0' },
    });
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/);
    const login = await raw(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    assertError(login, 429, 'TOO_MANY_REQUESTS');
  });
});
