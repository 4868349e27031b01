import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { tempDir } from '../helpers/temp.js';
import { assertError, assertHealthy, raw } from './support.js';

const DEFAULT_DECOY = fileURLToPath(new URL('../../decoy/index.html', import.meta.url));

function loginAt(origin: string, prefix: string) {
  return raw(`${origin}${prefix}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
}

/** The decoy must not give away what is under BASE_PATH: no API error shape, no API words. */
function assertLooksStatic(res: { status: number; headers: Headers; text: string }, status: number): void {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `not a static page: ${res.text}`);
  assert.doesNotMatch(res.text, /"error"|NOT_FOUND|no such route|hubdrive|api\//i);
}

describe('BASE_PATH with the default decoy', () => {
  let app: RunningApp;
  before(async () => {
    app = await startApp({ BASE_PATH: '/xmj' });
  });

  test('/ serves the decoy index.html from the default decoy/ folder', async () => {
    assert.equal(app.url, `${app.origin}/xmj`);
    const expected = readFileSync(DEFAULT_DECOY, 'utf8');
    for (const page of ['/', '/index.html']) {
      const res = await raw(`${app.origin}${page}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(res.text, expected);
    }
    // It is the decoy, not the drive's landing page.
    assert.doesNotMatch(expected, /hubdrive/i);
  });

  test('the API, health and landing page live under BASE_PATH', async () => {
    const setup = await raw(`${app.url}/api/setup`);
    assert.equal(setup.status, 200);
    assert.deepEqual(JSON.parse(setup.text), { needed: false });
    await assertHealthy(app.url);
    const landing = await raw(`${app.url}/`);
    assert.equal(landing.status, 200);
    assert.match(landing.text, /hubdrive/);
    const bare = await raw(app.url);
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get('location'), '/xmj/');

    // Sign in and use the drive under the prefix; the cookie is scoped to it.
    const login = await loginAt(app.origin, '/xmj');
    assert.equal(login.status, 200, login.text);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('hd_session='))!;
    assert.match(cookie, /;\s*Path=\/xmj(;|$)/i);
    const client = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    assert.equal((await client.upload('/under-base.txt', 'hello')).status, 201);
    assert.equal((await client.download('/under-base.txt')).bytes.toString(), 'hello');
    // Errors under BASE_PATH are the API's JSON errors.
    assertError(await raw(`${app.url}/api/nope`), 404, 'NOT_FOUND');
  });

  test('outside BASE_PATH nothing reaches the API or tells that it exists', async () => {
    const client = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    for (const page of [
      '/api/setup',
      '/api/me',
      '/api/fs/list?path=/',
      '/healthz',
      '/xmjx',
      '/nope.html',
      '/xmj/../api/setup',
    ]) {
      const res = await raw(`${app.origin}${page}`, { headers: { cookie: client.cookie } });
      assertLooksStatic(res, 404);
    }
    // A sign-in outside the prefix signs nobody in.
    const login = await loginAt(app.origin, '');
    assertLooksStatic(login, 404);
    assert.equal(login.headers.getSetCookie().length, 0);
    // Nor does a state-changing call with a valid session reach the drive.
    const put = await raw(`${app.origin}/api/fs/content?path=%2Foutside.txt`, {
      method: 'PUT',
      headers: client.headers({ 'content-type': 'application/octet-stream' }),
      body: 'x',
    });
    assertLooksStatic(put, 404);
    assertError(
      await raw(`${app.url}/api/fs/stat?path=%2Foutside.txt`, { headers: { cookie: client.cookie } }),
      404,
    );
  });

  test('the decoy does not serve dotfiles or anything outside its folder', async () => {
    for (const page of [
      '/.env',
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/..%5c..%5cpackage.json',
    ]) {
      const res = await raw(`${app.origin}${page}`);
      assert.ok(res.status === 403 || res.status === 404, `${page}: ${res.status}`);
      assertLooksStatic(res, res.status);
      assert.doesNotMatch(res.text, /"name":\s*"hubdrive"/);
    }
  });
});

describe('a custom DECOY_DIR', () => {
  test('its files are served at /, and the API stays under BASE_PATH', async () => {
    const dir = tempDir('hubdrive-decoy');
    writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><title>My bakery</title><p>Fresh bread daily</p>\n',
    );
    mkdirSync(path.join(dir, 'css'));
    writeFileSync(path.join(dir, 'css', 'site.css'), 'body { color: brown; }\n');
    writeFileSync(path.join(dir, '.secret'), 'do not serve');
    const app = await startApp({ BASE_PATH: '/drive', DECOY_DIR: dir });

    const index = await raw(`${app.origin}/`);
    assert.equal(index.status, 200);
    assert.equal(index.text, '<!doctype html><title>My bakery</title><p>Fresh bread daily</p>\n');
    const css = await raw(`${app.origin}/css/site.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal(css.text, 'body { color: brown; }\n');
    const secret = await raw(`${app.origin}/.secret`);
    assert.notEqual(secret.status, 200);
    assert.doesNotMatch(secret.text, /do not serve/);
    assertLooksStatic(await raw(`${app.origin}/missing.html`), 404);
    // The default decoy is not what is served.
    assert.notEqual(index.text, readFileSync(DEFAULT_DECOY, 'utf8'));

    await assertHealthy(app.url);
    assert.equal((await loginAt(app.origin, '/drive')).status, 200);
  });
});

describe('without BASE_PATH', () => {
  test('the drive is at the root and there is no decoy', async () => {
    const app = await startApp();
    assert.equal(app.url, app.origin);
    const landing = await raw(`${app.origin}/`);
    assert.equal(landing.status, 200);
    assert.match(landing.text, /hubdrive/);
    await assertHealthy(app.origin);
    assert.equal((await loginAt(app.origin, '')).status, 200);
  });
});
