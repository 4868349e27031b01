import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { buildApp } from '../helpers/drive.js';
import { defer } from '../helpers/cleanup.js';
import type { DavPrincipal } from '../../src/webdav/principal.js';
import { webdavPlugin } from '../../src/webdav/plugin.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { DavClient, hrefs } from './support.js';

describe('WebDAV settings', () => {
  test('defaults, accepted values, and errors that name the variable', () => {
    assert.deepEqual(loadConfig({}).webdav, { depthInfinity: false, macFiles: 'store' });
    const set = loadConfig({ WEBDAV_DEPTH_INFINITY: '1', WEBDAV_MAC_FILES: 'ignore' });
    assert.deepEqual(set.webdav, { depthInfinity: true, macFiles: 'ignore' });
    assert.throws(
      () => loadConfig({ WEBDAV_MAC_FILES: 'delete' }),
      (error: unknown) =>
        error instanceof ConfigError && /WEBDAV_MAC_FILES: expected "store"/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ WEBDAV_DEPTH_INFINITY: 'maybe' }),
      (error: unknown) =>
        error instanceof ConfigError && /WEBDAV_DEPTH_INFINITY: expected true or false/.test(error.message),
    );
  });
});

describe('WEBDAV_MAC_FILES', () => {
  test('ignore: Finder files are accepted, never stored, never listed', async () => {
    const { origin } = await startApp({ WEBDAV_MAC_FILES: 'ignore' });
    const dav = new DavClient(origin, 'admin', ADMIN_PASSWORD);
    assert.equal((await dav.put('/._photo.jpg', 'apple double')).status, 201);
    assert.equal((await dav.put('/.DS_Store', 'settings')).status, 201);
    assert.equal((await dav.put('/photo.jpg', 'jpeg')).status, 201);
    assert.deepEqual(hrefs((await dav.propfind('/', '1')).text), ['/dav/', '/dav/photo.jpg']);
    assert.equal((await dav.request('GET', '/._photo.jpg')).status, 404);
    assert.equal((await dav.request('DELETE', '/.DS_Store')).status, 204);
  });

  test('store (the default): they are ordinary files', async () => {
    const { origin } = await startApp();
    const dav = new DavClient(origin, 'admin', ADMIN_PASSWORD);
    assert.equal((await dav.put('/._photo.jpg', 'apple double')).status, 201);
    assert.equal((await dav.request('GET', '/._photo.jpg')).text, 'apple double');
    assert.deepEqual(hrefs((await dav.propfind('/', '1')).text), ['/dav/', '/dav/._photo.jpg']);
  });
});

describe('WEBDAV_DEPTH_INFINITY=1', () => {
  test('PROPFIND Depth infinity lists the whole tree', async () => {
    const { origin } = await startApp({ WEBDAV_DEPTH_INFINITY: '1' });
    const dav = new DavClient(origin, 'admin', ADMIN_PASSWORD);
    assert.equal((await dav.request('MKCOL', '/a')).status, 201);
    assert.equal((await dav.request('MKCOL', '/a/b')).status, 201);
    assert.equal((await dav.put('/a/b/c%20d.txt', 'x')).status, 201);
    const res = await dav.propfind('/a', 'infinity');
    assert.equal(res.status, 207);
    assert.deepEqual(hrefs(res.text), ['/dav/a/', '/dav/a/b/', '/dav/a/b/c%20d.txt']);
  });
});

describe('BASE_PATH', () => {
  test('the mount lives under it', async () => {
    const { origin } = await startApp({ BASE_PATH: '/drive' });
    const dav = new DavClient(origin, 'admin', ADMIN_PASSWORD, '/drive');
    assert.equal((await dav.put('/x.txt', 'x')).status, 201);
    assert.deepEqual(hrefs((await dav.propfind('/', '1')).text), ['/drive/dav/', '/drive/dav/x.txt']);
    const copied = await dav.request('COPY', '/x.txt', { headers: { destination: dav.url('/y.txt') } });
    assert.equal(copied.status, 201);
  });
});

describe('principals', () => {
  /** The plugin alone on a Fastify instance, with an authenticator that hands out fixed principals. */
  async function mountWith(principals: Record<string, Omit<DavPrincipal, 'userId' | 'username'>>) {
    const { app } = await buildApp();
    const admin = await app.drive.users.authenticate('admin', ADMIN_PASSWORD);
    await app.drive.tree.mkdir(admin, '/Photos');
    await app.drive.tree.mkdir(admin, '/Private');
    const server = Fastify();
    await server.register(webdavPlugin, {
      drive: app.drive,
      basePath: '',
      config: { depthInfinity: false, macFiles: 'store' },
      authenticate: async (username) => {
        const principal = principals[username];
        return principal ? { userId: admin.id, username: 'admin', ...principal } : null;
      },
    });
    defer(() => server.close());
    const call = (
      username: string,
      method: string,
      url: string,
      headers: Record<string, string> = {},
      payload?: string,
    ) =>
      server.inject({
        method: method as 'GET',
        url,
        headers: {
          authorization: `Basic ${Buffer.from(`${username}:secret`).toString('base64')}`,
          ...headers,
        },
        payload,
      });
    return { call };
  }

  test('a read-only principal can read and can change nothing', async () => {
    const { call } = await mountWith({
      reader: { readOnly: true, root: '/' },
      writer: { readOnly: false, root: '/' },
    });
    assert.equal((await call('writer', 'PUT', '/dav/Photos/a.jpg', {}, 'jpeg')).statusCode, 201);
    assert.equal((await call('reader', 'PROPFIND', '/dav/', { depth: '1' })).statusCode, 207);
    assert.equal((await call('reader', 'GET', '/dav/Photos/a.jpg')).body, 'jpeg');
    const lockBody =
      '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
    for (const [method, url, headers, body] of [
      ['PUT', '/dav/Photos/a.jpg', {}, 'changed'],
      ['DELETE', '/dav/Photos/a.jpg', {}, undefined],
      ['MKCOL', '/dav/New', {}, undefined],
      ['COPY', '/dav/Photos/a.jpg', { destination: '/dav/b.jpg' }, undefined],
      ['MOVE', '/dav/Photos/a.jpg', { destination: '/dav/b.jpg' }, undefined],
      ['PROPPATCH', '/dav/Photos/a.jpg', {}, '<x/>'],
      ['LOCK', '/dav/Photos/a.jpg', {}, lockBody],
      ['UNLOCK', '/dav/Photos/a.jpg', { 'lock-token': '<urn:x>' }, undefined],
    ] as const) {
      const res = await call('reader', method, url, headers, body);
      assert.equal(res.statusCode, 403, `${method}: ${res.body}`);
    }
    assert.equal((await call('writer', 'GET', '/dav/Photos/a.jpg')).body, 'jpeg');
  });

  test('a principal rooted at /Photos sees only that folder, as its root', async () => {
    const { call } = await mountWith({ photos: { readOnly: false, root: '/Photos' } });
    assert.equal((await call('photos', 'PUT', '/dav/in.jpg', {}, 'x')).statusCode, 201);
    const listing = await call('photos', 'PROPFIND', '/dav/', { depth: '1' });
    assert.deepEqual(hrefs(listing.body), ['/dav/', '/dav/in.jpg']);
    assert.equal((await call('photos', 'PROPFIND', '/dav/Private', { depth: '0' })).statusCode, 404);
    assert.equal((await call('photos', 'PROPFIND', '/dav/Photos', { depth: '0' })).statusCode, 404);
    const escape = await call('photos', 'COPY', '/dav/in.jpg', { destination: '/dav/../Private/in.jpg' });
    assert.equal(escape.statusCode, 502);
    assert.equal(
      (await call('photos', 'COPY', '/dav/in.jpg', { destination: '/dav/copy.jpg' })).statusCode,
      201,
    );
    assert.equal((await call('photos', 'GET', '/dav/copy.jpg')).body, 'x');
  });

  test('an unknown principal is 401', async () => {
    const { call } = await mountWith({});
    const res = await call('nobody', 'PROPFIND', '/dav/', { depth: '0' });
    assert.equal(res.statusCode, 401);
    assert.match(String(res.headers['www-authenticate']), /^Basic realm="hubdrive"/);
  });
});
