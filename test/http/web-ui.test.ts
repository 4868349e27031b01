import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import pino from 'pino';
import { createHttpServer } from '../../src/http/server.js';
import { hasInlineScript, injectBasePath, WEB_UI_CSP } from '../../src/http/web-ui.js';
import { defer } from '../helpers/cleanup.js';
import { ApiClient } from '../helpers/client.js';
import { buildApp, TEST_ADMIN_PASSWORD } from '../helpers/drive.js';
import { tempDir } from '../helpers/temp.js';
import { assertError, exactGet, raw, type RawResponse } from './support.js';

const DEFAULT_DECOY = fileURLToPath(new URL('../../decoy/index.html', import.meta.url));

/** What Vite writes for `base: './'`: relative asset URLs, module scripts, no inline script. */
const INDEX = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <link rel="icon" type="image/svg+xml" href="./favicon.svg" />
    <title>hubdrive</title>
    <script type="module" crossorigin src="./assets/index-abc123.js"></script>
    <link rel="stylesheet" crossorigin href="./assets/index-def456.css">
  </head>
  <body><div id="root"></div></body>
</html>
`;
const SCRIPT = 'console.log("hubdrive ui");\n';
const STYLE = 'body { margin: 0; }\n';
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>\n';

function fakeBuild(): string {
  const dir = tempDir('hubdrive-web');
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), SCRIPT);
  writeFileSync(path.join(dir, 'assets', 'index-def456.css'), STYLE);
  writeFileSync(path.join(dir, 'assets', '.secret'), 'not for anyone');
  writeFileSync(path.join(dir, 'favicon.svg'), FAVICON);
  writeFileSync(path.join(dir, '.env'), 'SECRET=1');
  return dir;
}

/** The real drive, served by a second HTTP server that takes the UI from `webDir`. */
async function serve(env: Record<string, string>, webDir: string): Promise<{ origin: string; url: string }> {
  const { app } = await buildApp(env);
  const http = await createHttpServer({
    config: app.config,
    drive: app.drive,
    logger: pino({ level: 'silent' }),
    webDir,
  });
  await http.listen({ port: 0, host: '127.0.0.1' });
  defer(() => http.close());
  const origin = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  return { origin, url: `${origin}${app.config.basePath}` };
}

function expectedIndex(base: string): string {
  return INDEX.replace(
    '<head>',
    `<head><base href="${base}/"><meta name="hubdrive-base-path" content="${base}">`,
  );
}

function assertIndex(res: RawResponse, base: string, context: string): void {
  assert.equal(res.status, 200, `${context}: ${res.text}`);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', context);
  assert.equal(res.headers.get('cache-control'), 'no-store', context);
  assert.equal(res.headers.get('content-security-policy'), WEB_UI_CSP, context);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', context);
  assert.equal(res.text, expectedIndex(base), context);
}

describe('the web UI under BASE_PATH', () => {
  let site: { origin: string; url: string };
  before(async () => {
    site = await serve({ BASE_PATH: '/xmj' }, fakeBuild());
  });

  test('index.html at BASE_PATH/ and at every UI route, with the base path injected', async () => {
    for (const page of ['/', '/index.html', '/files/Photos/2024', '/shares/abc?x=1', '/s/tok/sub/a.txt']) {
      assertIndex(await raw(`${site.url}${page}`), '/xmj', page);
    }
    const head = await raw(`${site.url}/files/deep`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-security-policy'), WEB_UI_CSP);
    assert.equal(head.text, '');
    // The bare base path still redirects to the slash form.
    const bare = await raw(site.url);
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get('location'), '/xmj/');
  });

  test('the policy allows only what a Vite build needs', () => {
    assert.equal(
      WEB_UI_CSP,
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "media-src 'self' blob:; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
        "frame-ancestors 'self'",
    );
    assert.equal(hasInlineScript(INDEX), false);
    assert.equal(hasInlineScript('<head><script>alert(1)</script></head>'), true);
    assert.equal(hasInlineScript('<script type="module">import "./x.js"</script>'), true);
    assert.equal(hasInlineScript('<script type="application/json">{"a":1}</script>'), false);
    assert.equal(hasInlineScript('<script src="./a.js"></script><script defer src=b.js></script>'), false);
  });

  test('hashed assets are served with a year of immutable caching', async () => {
    const js = await raw(`${site.url}/assets/index-abc123.js`);
    assert.equal(js.status, 200);
    assert.equal(js.text, SCRIPT);
    assert.match(js.headers.get('content-type') ?? '', /^(application|text)\/javascript/);
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const css = await raw(`${site.url}/assets/index-def456.css`);
    assert.equal(css.status, 200);
    assert.equal(css.text, STYLE);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    // A missing asset is a 404, never index.html (a stale page asking for an old hash must fail).
    assertError(await raw(`${site.url}/assets/index-old999.js`), 404, 'NOT_FOUND');
    for (const page of ['/assets/.secret', '/assets/%2e%2e/index.html', '/assets/..%2f.env', '/.env']) {
      const res = await exactGet(site.origin, `/xmj${page}`);
      assert.doesNotMatch(res.text, /not for anyone|SECRET=1/, page);
      if (page === '/.env') assertIndex(res, '/xmj', page);
      else assert.ok(res.status === 403 || res.status === 404, `${page}: ${res.status}`);
    }
  });

  test('files at the top of the build are served as themselves', async () => {
    const icon = await raw(`${site.url}/favicon.svg`);
    assert.equal(icon.status, 200);
    assert.equal(icon.text, FAVICON);
    assert.match(icon.headers.get('content-type') ?? '', /^image\/svg\+xml/);
  });

  test('server paths never fall back to the UI', async () => {
    for (const page of [
      '/api',
      '/api/',
      '/api/nope',
      '/api/fs/nope?path=/',
      '/healthz/x',
      '/assets',
      '/assets/',
    ]) {
      assertError(await raw(`${site.url}${page}`), 404, 'NOT_FOUND');
    }
    // Percent-escapes, empty and dot segments do not sneak a server path past the check.
    assertError(await raw(`${site.url}/%61pi/nope`), 404, 'NOT_FOUND');
    for (const page of ['//api/nope', '//dav/x', '/files//x', '/./api/x', '/files/%2e%2e/api', '/x/../api']) {
      assertError(await exactGet(site.origin, `/xmj${page}`), 404, 'NOT_FOUND');
    }
    assertIndex(await raw(`${site.url}/files/Photos/`), '/xmj', 'trailing slash');
    assertError(await raw(`${site.url}/api/auth/login`), 404, 'NOT_FOUND');
    const health = await raw(`${site.url}/healthz`);
    assert.deepEqual(JSON.parse(health.text), { status: 'ok' });
    // WebDAV keeps its own answers, and OPTIONS at the top still says DAV.
    const dav = await raw(`${site.url}/dav/`);
    assert.equal(dav.status, 401);
    assert.match(dav.headers.get('www-authenticate') ?? '', /^Basic/);
    const options = await raw(`${site.url}/`, { method: 'OPTIONS' });
    assert.equal(options.status, 200);
    assert.equal(options.headers.get('dav'), '1, 2');
  });

  test('the decoy outside BASE_PATH is unchanged', async () => {
    const index = await raw(`${site.origin}/`);
    assert.equal(index.status, 200);
    assert.equal(index.text, readFileSync(DEFAULT_DECOY, 'utf8'));
    for (const page of ['/files/Photos', '/assets/index-abc123.js', '/favicon.svg']) {
      const res = await raw(`${site.origin}${page}`);
      assert.equal(res.status, 404, page);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.doesNotMatch(res.text, /hubdrive|"error"/i);
    }
  });

  test('the page is the same for everyone: no session, token or secret in it', async () => {
    const anonymous = await raw(`${site.url}/`);
    const client = await ApiClient.login(site.url, 'admin', TEST_ADMIN_PASSWORD);
    const signedIn = await raw(`${site.url}/`, { headers: { cookie: client.cookie } });
    assert.equal(signedIn.text, anonymous.text);
    assert.ok(!signedIn.text.includes(client.csrfToken));
    assert.ok(!signedIn.text.includes(TEST_ADMIN_PASSWORD));
    assert.equal(signedIn.headers.getSetCookie().length, 0);
  });
});

describe('the web UI without BASE_PATH', () => {
  test('served at the root, with "/" as its base', async () => {
    const site = await serve({}, fakeBuild());
    for (const page of ['/', '/files/a/b', '/index.html'])
      assertIndex(await raw(`${site.url}${page}`), '', page);
    assert.equal((await raw(`${site.url}/assets/index-abc123.js`)).text, SCRIPT);
    assertError(await raw(`${site.url}/api/nope`), 404, 'NOT_FOUND');
    assertError(await raw(`${site.url}/nope`, { method: 'POST' }), 404, 'NOT_FOUND');
    assert.equal((await raw(`${site.url}/api/setup`)).status, 200);
  });
});

describe('a web UI that is not built', () => {
  test('a page says so, and nothing breaks', async () => {
    const site = await serve({ BASE_PATH: '/drive' }, tempDir('hubdrive-no-web'));
    for (const page of ['/', '/files/x']) {
      const res = await raw(`${site.url}${page}`);
      assert.equal(res.status, 200);
      assert.match(res.text, /hubdrive/);
      assert.match(res.text, /npm run build/);
      assert.equal(res.headers.get('content-security-policy'), WEB_UI_CSP);
    }
    assertError(await raw(`${site.url}/assets/index-abc123.js`), 404, 'NOT_FOUND');
    assertError(await raw(`${site.url}/api/nope`), 404, 'NOT_FOUND');
    assert.equal((await raw(`${site.url}/healthz`)).status, 200);
  });
});

describe('injectBasePath', () => {
  test('puts <base> and the meta first in <head>, escaped', () => {
    assert.equal(
      injectBasePath('<html><HEAD lang="x"><title>t</title></HEAD></html>', '/a"<b>&'),
      '<html><HEAD lang="x"><base href="/a&#34;&#60;b&#62;&#38;/">' +
        '<meta name="hubdrive-base-path" content="/a&#34;&#60;b&#62;&#38;"><title>t</title></HEAD></html>',
    );
    assert.equal(
      injectBasePath('<p>no head</p>', ''),
      '<base href="/"><meta name="hubdrive-base-path" content=""><p>no head</p>',
    );
  });
});
