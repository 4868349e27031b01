import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { DavClient, hrefs, propText, responses } from './support.js';

let server: RunningApp;
let dav: DavClient;

before(async () => {
  server = await startApp();
  dav = new DavClient(server.origin, 'admin', ADMIN_PASSWORD);
});

describe('OPTIONS and authentication', () => {
  test('OPTIONS announces classes 1 and 2, the methods and MS-Author-Via', async () => {
    const res = await dav.request('OPTIONS', '/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('dav'), '1, 2');
    assert.equal(res.headers.get('ms-author-via'), 'DAV');
    for (const method of ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'PUT']) {
      assert.ok(res.headers.get('allow')?.split(', ').includes(method), method);
    }
  });

  test('the top of the site answers OPTIONS with DAV too (Windows and Office ask there first)', async () => {
    for (const base of ['', '/drive']) {
      const app = base === '' ? server : await startApp({ BASE_PATH: base });
      const res = await fetch(`${app.origin}${base}/`, { method: 'OPTIONS' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('dav'), '1, 2');
      assert.equal(res.headers.get('ms-author-via'), 'DAV');
    }
  });

  test('no credentials or wrong ones: 401 with the Basic challenge', async () => {
    for (const client of [null, new DavClient(server.origin, 'admin', 'wrong-password')]) {
      const res = client
        ? await client.propfind('/', '0')
        : await dav.request('PROPFIND', '/', { auth: false, headers: { depth: '0' } });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Basic realm="hubdrive", charset="UTF-8"');
    }
  });

  test('the root answers without a trailing slash too (Windows)', async () => {
    const res = await dav.request('PROPFIND', '', { headers: { depth: '0' } });
    assert.equal(res.status, 207, res.text);
    assert.deepEqual(hrefs(res.text), ['/dav/']);
  });
});

describe('MKCOL', () => {
  test('201, then 405 when it exists; 409 without a parent; 415 with a body', async () => {
    assert.equal((await dav.request('MKCOL', '/made')).status, 201);
    assert.equal((await dav.request('MKCOL', '/made/')).status, 405);
    assert.equal((await dav.request('MKCOL', '/')).status, 405);
    assert.equal((await dav.request('MKCOL', '/no/such/parent')).status, 409);
    assert.equal((await dav.request('MKCOL', '/with-body', { body: '<x/>' })).status, 415);
    assert.equal((await dav.propfind('/with-body', '0')).status, 404);
  });
});

describe('PUT, GET and HEAD', () => {
  const data = randomBytes(300_000);

  test('PUT answers 201 for a new file and 204 for a new version, with an ETag', async () => {
    const created = await dav.put('/file.bin', data);
    assert.equal(created.status, 201);
    assert.match(created.headers.get('etag') ?? '', /^"[0-9a-f]+"$/);
    const replaced = await dav.put('/file.bin', data);
    assert.equal(replaced.status, 204);
    assert.equal(replaced.headers.get('etag'), created.headers.get('etag'));
  });

  test('GET returns the bytes with ETag, Last-Modified and Content-Length', async () => {
    const response = await fetch(dav.url('/file.bin'), { headers: { authorization: auth() } });
    assert.equal(response.status, 200);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(data));
    assert.equal(response.headers.get('content-length'), String(data.length));
    assert.match(
      response.headers.get('last-modified') ?? '',
      /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    );
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
  });

  test('HEAD has the headers and no body', async () => {
    const res = await dav.request('HEAD', '/file.bin');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(data.length));
    assert.equal(res.text, '');
  });

  test('Range, If-Range, If-None-Match, If-Match', async () => {
    const etag = (await dav.request('HEAD', '/file.bin')).headers.get('etag')!;
    const part = await fetch(dav.url('/file.bin'), {
      headers: { authorization: auth(), range: 'bytes=1000-1999' },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${data.length}`);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(data.subarray(1000, 2000)));
    const stale = await dav.request('GET', '/file.bin', {
      headers: { range: 'bytes=0-9', 'if-range': '"other"' },
    });
    assert.equal(stale.status, 200);
    assert.equal((await dav.request('GET', '/file.bin', { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await dav.request('GET', '/file.bin', { headers: { 'if-match': '"nope"' } })).status, 412);
    assert.equal(
      (await dav.request('GET', '/file.bin', { headers: { range: `bytes=${data.length}-` } })).status,
      416,
    );
  });

  test('PUT with If-None-Match: * on an existing file, or a wrong If-Match, is 412', async () => {
    assert.equal((await dav.put('/file.bin', 'x', { 'if-none-match': '*' })).status, 412);
    assert.equal((await dav.put('/file.bin', 'x', { 'if-match': '"wrong"' })).status, 412);
    assert.equal((await dav.put('/new-only.txt', 'x', { 'if-none-match': '*' })).status, 201);
  });

  test('PUT into a missing folder is 409; onto a folder 405', async () => {
    assert.equal((await dav.put('/missing/file.txt', 'x')).status, 409);
    assert.equal((await dav.request('MKCOL', '/a-folder')).status, 201);
    assert.equal((await dav.put('/a-folder', 'x')).status, 405);
  });

  test('an empty file', async () => {
    assert.equal((await dav.put('/empty.txt', '')).status, 201);
    const res = await dav.request('GET', '/empty.txt');
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
  });

  test('GET on a folder gives a listing', async () => {
    const res = await dav.request('GET', '/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.text, /file\.bin/);
  });
});

describe('names and hrefs', () => {
  const name = "we ird #?%&+' é 😀";
  const encoded = "we%20ird%20%23%3F%25%26%2B'%20%C3%A9%20%F0%9F%98%80";

  test('every href segment is percent-encoded; collections end with a slash', async () => {
    assert.equal((await dav.request('MKCOL', `/${encoded}`)).status, 201);
    assert.equal((await dav.put(`/${encoded}/${encoded}.txt`, 'hello')).status, 201);
    const res = await dav.propfind(`/${encoded}/`, '1');
    assert.equal(res.status, 207);
    assert.deepEqual(hrefs(res.text), [`/dav/${encoded}/`, `/dav/${encoded}/${encoded}.txt`]);
    const file = responses(res.text).get(`/dav/${encoded}/${encoded}.txt`)!;
    assert.equal(propText(file, 'DAV:', 'displayname'), `${name}.txt`);
    assert.equal((await dav.request('GET', `/${encoded}/${encoded}.txt`)).text, 'hello');
  });

  test('".." segments, invalid UTF-8 and control characters are 400', async () => {
    for (const path of [
      '/a/%2e%2e/b',
      '/a/../../api/me',
      '/%2E%2E',
      '/./x',
      '/%ff%fe',
      '/bad%00name',
      '/a%2Fb',
      '/x%E2%80%AEtxt',
    ]) {
      assert.equal(await dav.rawStatus('GET', `/dav${path}`), 400, path);
      assert.equal(await dav.rawStatus('PROPFIND', `/dav${path}`), 400, path);
    }
  });
});

describe('DELETE', () => {
  test('a folder goes to the trash with its content; then 404', async () => {
    assert.equal((await dav.request('MKCOL', '/doomed')).status, 201);
    assert.equal((await dav.put('/doomed/inner.txt', 'x')).status, 201);
    assert.equal((await dav.request('DELETE', '/doomed')).status, 204);
    assert.equal((await dav.propfind('/doomed', '0')).status, 404);
    assert.equal((await dav.request('DELETE', '/doomed')).status, 404);
    const admin = await server.app.drive.users.authenticate('admin', ADMIN_PASSWORD);
    const trash = await server.app.drive.trash.list(admin);
    assert.ok(trash.items.some((item) => item.originalPath === '/doomed'));
    assert.equal((await dav.request('DELETE', '/')).status, 403);
  });
});

describe('methods the mount does not have', () => {
  test('POST is 405 with Allow', async () => {
    const res = await dav.request('POST', '/file.bin', { body: 'x' });
    assert.equal(res.status, 405);
    assert.match(res.headers.get('allow') ?? '', /PROPFIND/);
  });
});

function auth(): string {
  return `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
}
