import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { assertError, assertHealthy, call, createUser, q, raw, type PublicUser } from './support.js';

function login(url: string, username: string, password: string, headers: Record<string, string> = {}) {
  return raw(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
}

function sessionCookie(headers: Headers): { pair: string; attributes: string[]; token: string } {
  const cookie = headers.getSetCookie().find((c) => c.startsWith('hd_session='));
  assert.ok(cookie, `no session cookie in ${JSON.stringify(headers.getSetCookie())}`);
  const [pair, ...attributes] = cookie.split(';').map((s) => s.trim());
  return { pair: pair!, attributes, token: pair!.slice('hd_session='.length) };
}

describe('sign-in with SYS_TOKEN', () => {
  let app: RunningApp;
  before(async () => {
    app = await startApp();
  });

  test('the SYS_TOKEN admin signs in as user "admin" with an HttpOnly SameSite cookie', async () => {
    const res = await login(app.url, 'admin', ADMIN_PASSWORD);
    assert.equal(res.status, 200, res.text);
    const body = JSON.parse(res.text) as { user: PublicUser; csrfToken: string };
    assert.equal(body.user.username, 'admin');
    assert.equal(body.user.role, 'admin');
    assert.equal(typeof body.csrfToken, 'string');
    assert.ok(body.csrfToken.length >= 32);
    const cookie = sessionCookie(res.headers);
    const lower = cookie.attributes.map((a) => a.toLowerCase());
    assert.ok(lower.includes('httponly'), `not HttpOnly: ${cookie.attributes.join('; ')}`);
    assert.ok(
      lower.some((a) => a === 'samesite=lax' || a === 'samesite=strict'),
      `no SameSite: ${cookie.attributes.join('; ')}`,
    );
    assert.ok(lower.includes('path=/'));
    assert.ok(cookie.token.length >= 32, 'the session token is short');

    // The cookie signs the browser in.
    const me = await raw(`${app.url}/api/me`, { headers: { cookie: cookie.pair } });
    assert.equal(me.status, 200);
    assert.equal((JSON.parse(me.text) as { user: PublicUser }).user.username, 'admin');
  });

  test('with SYS_TOKEN set, setup is not needed and cannot be run', async () => {
    const get = await raw(`${app.url}/api/setup`);
    assert.equal(get.status, 200);
    assert.deepEqual(JSON.parse(get.text), { needed: false });
    const post = await raw(`${app.url}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'intruder', password: 'intruder-password' }),
    });
    assertError(post, 403, 'SETUP_DONE');
    assert.equal(post.headers.getSetCookie().length, 0);
    // No account was made.
    assertError(await login(app.url, 'intruder', 'intruder-password'), 401, 'UNAUTHORIZED');
  });

  test('a wrong password and an unknown user get the same 401 JSON answer', async () => {
    const wrong = await login(app.url, 'admin', 'not-the-password');
    const wrongBody = assertError(wrong, 401, 'UNAUTHORIZED');
    assert.equal(wrong.headers.getSetCookie().length, 0);
    const unknown = await login(app.url, 'nobody-here', 'not-the-password');
    const unknownBody = assertError(unknown, 401, 'UNAUTHORIZED');
    assert.equal(unknownBody.error.message, wrongBody.error.message);
    assert.equal(unknown.headers.getSetCookie().length, 0);
    await assertHealthy(app.url);
  });

  test('no cookie, a forged cookie or a malformed cookie is 401', async () => {
    const client = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    const real = client.cookie.slice('hd_session='.length);
    const forged = [
      '',
      'hd_session=',
      'hd_session=garbage',
      `hd_session=${randomBytes(32).toString('base64url')}`,
      // The real token with its last character changed.
      `hd_session=${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`,
      `hd_session=${'x'.repeat(4000)}`,
      'hd_session=%zz%00',
      `other=${real}`,
    ];
    for (const cookie of forged) {
      const res = await raw(`${app.url}/api/me`, { headers: cookie ? { cookie } : {} });
      assertError(res, 401, 'UNAUTHORIZED');
      // A forged cookie with a guessed CSRF header changes nothing either.
      const mkdir = await raw(`${app.url}/api/fs/mkdir`, {
        method: 'POST',
        headers: {
          ...(cookie ? { cookie } : {}),
          'x-csrf-token': client.csrfToken,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ path: '/forged' }),
      });
      assertError(mkdir, 401, 'UNAUTHORIZED');
    }
    assertError(await call(client, 'GET', `/fs/stat${q('/forged')}`), 404, 'NOT_FOUND');
    await assertHealthy(app.url);
  });

  test('after logout the cookie no longer works', async () => {
    const client = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    const other = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    assert.equal((await client.get('/me')).status, 200);
    const out = await call(client, 'POST', '/auth/logout');
    assert.equal(out.status, 204);
    // The browser is told to drop the cookie.
    const cleared = sessionCookie(out.headers);
    assert.equal(cleared.token, '');
    // Even a client that keeps the old cookie is signed out.
    assertError(await call(client, 'GET', '/me'), 401, 'UNAUTHORIZED');
    assertError(
      await call(client, 'POST', '/fs/mkdir', { json: { path: '/after-logout' } }),
      401,
      'UNAUTHORIZED',
    );
    // Only that session ended.
    assert.equal((await other.get('/me')).status, 200);
    assertError(await call(other, 'GET', `/fs/stat${q('/after-logout')}`), 404);
  });

  test('a state-changing call without the right X-CSRF-Token is 403 CSRF and changes nothing', async () => {
    const client = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    const second = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    assert.notEqual(client.csrfToken, second.csrfToken);
    const json = { 'content-type': 'application/json' };
    const attempts: Record<string, string>[] = [
      { cookie: client.cookie, ...json },
      { cookie: client.cookie, 'x-csrf-token': '', ...json },
      { cookie: client.cookie, 'x-csrf-token': 'wrong', ...json },
      { cookie: client.cookie, 'x-csrf-token': `${client.csrfToken}x`, ...json },
      // Another session's token is not this session's token.
      { cookie: client.cookie, 'x-csrf-token': second.csrfToken, ...json },
    ];
    for (const headers of attempts) {
      const mkdir = await raw(`${client.baseUrl}/api/fs/mkdir`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ path: '/csrf-dir' }),
      });
      assertError(mkdir, 403, 'CSRF');
      const put = await raw(`${client.baseUrl}/api/fs/content${q('/csrf.txt')}`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/octet-stream' },
        body: 'should not be stored',
      });
      assertError(put, 403, 'CSRF');
      const { 'content-type': _json, ...noBody } = headers;
      const logout = await raw(`${client.baseUrl}/api/auth/logout`, { method: 'POST', headers: noBody });
      assertError(logout, 403, 'CSRF');
      const create = await raw(`${client.baseUrl}/api/admin/users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ username: 'csrf-user', password: 'csrf-password' }),
      });
      assertError(create, 403, 'CSRF');
    }
    // Nothing changed: no folder, no file, the session is still signed in, no user.
    assertError(await call(client, 'GET', `/fs/stat${q('/csrf-dir')}`), 404);
    assertError(await call(client, 'GET', `/fs/stat${q('/csrf.txt')}`), 404);
    assert.equal((await client.get('/me')).status, 200);
    const users = await client.get<{ users: PublicUser[] }>('/admin/users');
    assert.ok(!users.body.users.some((u) => u.username === 'csrf-user'));
    // With the right token the same call works.
    assert.equal((await client.post('/fs/mkdir', { path: '/csrf-dir' })).status, 201);
  });

  test('secrets never appear in a JSON response body', async () => {
    const bodies: string[] = [];
    const record = async (res: Promise<{ text: string }>) => bodies.push((await res).text);
    const res = await login(app.url, 'admin', ADMIN_PASSWORD);
    bodies.push(res.text);
    const cookie = sessionCookie(res.headers);
    const csrf = (JSON.parse(res.text) as { csrfToken: string }).csrfToken;
    const client = new ApiClient(app.url, cookie.pair, csrf);
    const userPassword = 'user-password-secret-42';
    const created = await call(client, 'POST', '/admin/users', {
      json: { username: 'secretive', password: userPassword },
    });
    bodies.push(created.text);
    const userId = (JSON.parse(created.text) as { user: PublicUser }).user.id;
    const userLogin = await login(app.url, 'secretive', userPassword);
    bodies.push(userLogin.text);
    const userToken = sessionCookie(userLogin.headers).token;
    await record(call(client, 'GET', '/admin/users'));
    await record(call(client, 'GET', '/me'));
    await record(call(client, 'GET', '/auth/session'));
    await record(call(client, 'GET', '/setup'));
    await record(
      call(client, 'PATCH', `/admin/users/${userId}`, { json: { password: 'another-secret-99' } }),
    );
    await record(
      call(client, 'POST', '/auth/password', { json: { currentPassword: ADMIN_PASSWORD, newPassword: 'x' } }),
    );
    await record(login(app.url, 'admin', `${ADMIN_PASSWORD}-wrong`));
    await record(login(app.url, 'secretive', userPassword));
    await record(call(client, 'GET', '/admin/store'));
    assert.ok(bodies.length >= 12);
    for (const body of bodies) {
      for (const secret of [ADMIN_PASSWORD, userPassword, 'another-secret-99', cookie.token, userToken]) {
        assert.ok(!body.includes(secret), `a secret appears in a response: ${body}`);
      }
      assert.doesNotMatch(body, /\$argon2/, 'a password hash appears in a response');
      assert.doesNotMatch(body, /password_?hash|passwordHash/i);
    }
  });
});

describe('login rate limit', () => {
  test('the 11th failed login from one address is 429 with Retry-After', async () => {
    const { url } = await startApp();
    for (let i = 1; i <= 10; i++) {
      assertError(await login(url, 'admin', `wrong-${i}`), 401, 'UNAUTHORIZED');
    }
    const limited = await login(url, 'admin', 'wrong-11');
    assertError(limited, 429, 'TOO_MANY_REQUESTS');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 15 * 60,
      `Retry-After: ${retryAfter}`,
    );
    // While limited, even the right password is refused, so guessing cannot go on.
    const right = await login(url, 'admin', ADMIN_PASSWORD);
    assertError(right, 429, 'TOO_MANY_REQUESTS');
    assert.equal(right.headers.getSetCookie().length, 0);
    await assertHealthy(url);
  });

  test('parallel attempts cannot slip past the limit while their passwords are checked', async () => {
    const { url } = await startApp();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(url, 'admin', `wrong-${i}`)),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 401).length, 10, `statuses: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 30);
  });

  test('an account takes at most 50 failures per window, from however many addresses', async () => {
    const { url } = await startApp({ TRUST_PROXY: '127.0.0.1' });
    for (let i = 0; i < 50; i++) {
      const from = { 'x-forwarded-for': `10.0.${i}.1` };
      assertError(await login(url, 'admin', `wrong-${i}`, from), 401);
    }
    assertError(await login(url, 'admin', 'wrong', { 'x-forwarded-for': '10.9.9.9' }), 429);
    // Other accounts are not affected.
    assertError(await login(url, 'someone', 'wrong', { 'x-forwarded-for': '10.9.9.9' }), 401);
  });

  test('successful logins are not counted', async () => {
    const { url } = await startApp();
    for (let i = 0; i < 12; i++) assert.equal((await login(url, 'admin', ADMIN_PASSWORD)).status, 200);
    for (let i = 0; i < 10; i++) assertError(await login(url, 'admin', 'wrong'), 401);
    assertError(await login(url, 'admin', 'wrong'), 429);
  });
});

describe("changing one's own password", () => {
  test('ends every other session, and gives this one a new cookie and CSRF token', async () => {
    const { url } = await startApp();
    const admin = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
    await createUser(admin, 'carol', 'carol-password-1');
    const here = await ApiClient.login(url, 'carol', 'carol-password-1');
    const elsewhere = await ApiClient.login(url, 'carol', 'carol-password-1');
    const changed = await call(here, 'POST', '/auth/password', {
      json: { currentPassword: 'carol-password-1', newPassword: 'carol-password-2' },
    });
    assert.equal(changed.status, 200, changed.text);
    const body = JSON.parse(changed.text) as { csrfToken: string };
    assert.notEqual(body.csrfToken, here.csrfToken);
    const fresh = new ApiClient(url, sessionCookie(changed.headers).pair, body.csrfToken);
    assert.equal((await fresh.get('/me')).status, 200);
    assertError(await call(elsewhere, 'GET', '/me'), 401);
    assertError(await call(here, 'GET', '/me'), 401);
    assertError(await login(url, 'carol', 'carol-password-1'), 401);
    assert.equal((await login(url, 'carol', 'carol-password-2')).status, 200);
  });

  test('guessing the current password is rate-limited per account', async () => {
    const { url } = await startApp();
    const admin = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
    await createUser(admin, 'dave', 'dave-password-1');
    const dave = await ApiClient.login(url, 'dave', 'dave-password-1');
    const guess = (currentPassword: string) =>
      call(dave, 'POST', '/auth/password', { json: { currentPassword, newPassword: 'dave-password-2' } });
    for (let i = 0; i < 50; i++) assertError(await guess(`guess-${i}`), 400, 'WRONG_PASSWORD');
    assertError(await guess('dave-password-1'), 429, 'TOO_MANY_REQUESTS');
  });
});

describe('first-run setup without SYS_TOKEN', () => {
  test('setup is needed, creates the admin and signs in, and only once', async () => {
    // loadConfig drops empty values, so SYS_TOKEN='' is the same as unset.
    const { url, app } = await startApp({ SYS_TOKEN: '' });
    assert.equal(app.config.sysToken, undefined);
    assert.deepEqual(JSON.parse((await raw(`${url}/api/setup`)).text), { needed: true });
    // There is no admin to sign in as yet.
    assertError(await login(url, 'admin', ADMIN_PASSWORD), 401);

    const setup = (username: string, password: string) =>
      raw(`${url}/api/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
    // A weak password is refused and leaves setup open.
    assertError(await setup('owner', 'short'), 400, 'WEAK_PASSWORD');
    assertError(await setup('bad name!', 'owner-password-1'), 400, 'INVALID_USERNAME');
    assert.deepEqual(JSON.parse((await raw(`${url}/api/setup`)).text), { needed: true });

    // Several setups at once: exactly one wins, the others are refused.
    const names = ['owner', 'rival-1', 'rival-2', 'rival-3'];
    const racing = await Promise.all(names.map((name) => setup(name, `${name}-password-1`)));
    const winners = racing.filter((r) => r.status === 201);
    assert.equal(winners.length, 1, racing.map((r) => r.status).join(','));
    for (const lost of racing.filter((r) => r.status !== 201)) assertError(lost, 403, 'SETUP_DONE');
    const done = winners[0]!;
    const body = JSON.parse(done.text) as { user: PublicUser; csrfToken: string };
    const winner = body.user.username;
    assert.ok(names.includes(winner));
    assert.equal(body.user.role, 'admin');
    assert.ok(!done.text.includes(`${winner}-password-1`));
    const cookie = sessionCookie(done.headers);
    assert.ok(cookie.attributes.map((a) => a.toLowerCase()).includes('httponly'));
    const client = new ApiClient(url, cookie.pair, body.csrfToken);
    const me = await client.get<{ user: PublicUser }>('/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.username, winner);
    // The new admin can act as one, and is the only admin.
    await createUser(client, 'member', 'member-password-1');
    const users = await client.get<{ users: PublicUser[] }>('/admin/users');
    assert.deepEqual(
      users.body.users.map((u) => [u.username, u.role]),
      [
        [winner, 'admin'],
        ['member', 'user'],
      ],
    );

    assert.deepEqual(JSON.parse((await raw(`${url}/api/setup`)).text), { needed: false });
    const again = await setup('second', 'second-password-1');
    assertError(again, 403, 'SETUP_DONE');
    assert.equal(again.headers.getSetCookie().length, 0);
    assertError(await login(url, 'second', 'second-password-1'), 401);
    // The password set in setup is the one that works.
    assert.equal((await login(url, winner, `${winner}-password-1`)).status, 200);
  });
});
