import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import {
  asRaw,
  assertError,
  assertHealthy,
  call,
  createUser,
  q,
  raw,
  streamUpload,
  usedBytes,
  type Entry,
  type RawResponse,
} from './support.js';

let url: string;
let admin: ApiClient;

before(async () => {
  ({ url } = await startApp());
  admin = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
  assert.equal((await admin.post('/fs/mkdir', { path: '/victim' })).status, 201);
  assert.equal((await admin.upload('/victim/keep.txt', 'keep me')).status, 201);
});

/** The refused call leaves a 4xx JSON error and a healthy server. */
async function refused(
  res: RawResponse | Promise<RawResponse>,
  status: number,
  code?: string,
): Promise<void> {
  assertError(await res, status, code);
  await assertHealthy(url);
}

/** The paths the root of this user holds: nothing a refused call made may show up. */
async function rootNames(): Promise<string[]> {
  const res = await admin.get<{ entries: Entry[] }>('/fs/list?path=/');
  assert.equal(res.status, 200);
  return res.body.entries.map((e) => e.name).sort();
}

describe('traversal and forbidden characters in names', () => {
  // Query strings exactly as sent on the wire, already percent-encoded where shown.
  const badPaths = [
    '..%2F',
    '..%2Fetc%2Fpasswd',
    '%2Fvictim%2F..%2F..%2Fetc',
    '%2e%2e',
    '%2e%2e%2fvictim',
    '%2F%2e%2e%2F%2e%2e%2Fsecret',
    '%2Fvictim%2F%2E%2E',
    '%2Fvictim%2F.%2Fkeep.txt',
    '%2Fa%00b',
    '%00',
    '%2Fvictim%2Fkeep.txt%00.png',
    '..%5C..%5Cwindows',
    '%2Fvictim%5Ckeep.txt',
    'a%5Cb',
    '%2Fbad%01name',
  ];

  test('listing, stat, download, versions: 400 INVALID_NAME', async () => {
    for (const path of badPaths) {
      for (const route of ['/fs/list', '/fs/stat', '/fs/content', '/fs/versions']) {
        await refused(call(admin, 'GET', `${route}?path=${path}`), 400, 'INVALID_NAME');
      }
    }
  });

  test('upload, mkdir, move, copy, delete: 400 INVALID_NAME and nothing is written', async () => {
    const before = await rootNames();
    for (const path of badPaths) {
      await refused(call(admin, 'PUT', `/fs/content?path=${path}`, { body: 'x' }), 400, 'INVALID_NAME');
      await refused(call(admin, 'POST', `/fs/upload?path=${path}`, { body: uploadForm('x.txt', 'x') }), 400);
      const decoded = decodeURIComponent(path);
      await refused(call(admin, 'POST', '/fs/mkdir', { json: { path: decoded } }), 400, 'INVALID_NAME');
      await refused(
        call(admin, 'POST', '/fs/mkdir', { json: { path: decoded, parents: true } }),
        400,
        'INVALID_NAME',
      );
      await refused(
        call(admin, 'POST', '/fs/move', { json: { from: '/victim/keep.txt', to: decoded } }),
        400,
        'INVALID_NAME',
      );
      await refused(
        call(admin, 'POST', '/fs/copy', { json: { from: '/victim/keep.txt', to: decoded } }),
        400,
        'INVALID_NAME',
      );
      await refused(call(admin, 'POST', '/fs/delete', { json: { path: decoded } }), 400, 'INVALID_NAME');
    }
    assert.deepEqual(await rootNames(), before);
    const kept = await admin.download('/victim/keep.txt');
    assert.equal(kept.bytes.toString(), 'keep me');
  });

  test('percent signs are not decoded twice: "%2e%2e" sent encoded is an ordinary name', async () => {
    // %252e%252e decodes once to the literal name "%2e%2e", which is allowed.
    const made = await call(admin, 'PUT', '/fs/content?path=%2F%252e%252e', { body: 'literal' });
    assert.equal(made.status, 201, made.text);
    assert.equal((JSON.parse(made.text) as Entry).name, '%2e%2e');
    const list = await admin.get<{ entries: Entry[] }>('/fs/list?path=/');
    assert.ok(list.body.entries.some((e) => e.name === '%2e%2e' && e.kind === 'file'));
    assert.equal((await admin.download('/%2e%2e')).bytes.toString(), 'literal');
    assert.equal((await admin.post('/fs/delete', { path: '/%2e%2e' })).status, 204);
  });
});

describe('name length', () => {
  test('a name of 256 bytes of UTF-8 is refused, 255 bytes is accepted', async () => {
    const cjk86 = '报'.repeat(86); // 258 bytes
    const cjk85 = '报'.repeat(85); // 255 bytes
    assert.equal(Buffer.byteLength(cjk86), 258);
    assert.equal(Buffer.byteLength(cjk85), 255);
    await refused(call(admin, 'POST', '/fs/mkdir', { json: { path: `/${cjk86}` } }), 400, 'INVALID_NAME');
    await refused(call(admin, 'PUT', `/fs/content${q(`/${cjk86}`)}`, { body: 'x' }), 400, 'INVALID_NAME');
    await refused(
      call(admin, 'PUT', `/fs/content${q(`/${'a'.repeat(256)}`)}`, { body: 'x' }),
      400,
      'INVALID_NAME',
    );
    await refused(
      call(admin, 'PUT', `/fs/content${q(`/${'é'.repeat(127)}ab`)}`, { body: 'x' }),
      400,
      'INVALID_NAME',
    );

    const dir = await admin.post<Entry>('/fs/mkdir', { path: `/${cjk85}` });
    assert.equal(dir.status, 201);
    assert.equal(dir.body.name, cjk85);
    const file = await admin.upload<Entry>(`/${cjk85}/${'a'.repeat(255)}`, 'long');
    assert.equal(file.status, 201);
    assert.equal(file.body.name.length, 255);
    assert.equal((await admin.download(`/${cjk85}/${'a'.repeat(255)}`)).bytes.toString(), 'long');
  });

  test('names are measured after NFC normalisation', async () => {
    // 100 × "e" + U+0301 is 300 bytes as sent, 200 bytes once composed to "é".
    const decomposed = 'e\u0301'.repeat(100);
    assert.equal(Buffer.byteLength(decomposed), 300);
    const res = await admin.upload<Entry>(`/${decomposed}`, 'nfc');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.name, 'é'.repeat(100));
    // Either form finds the same file.
    assert.equal((await admin.download(`/${'é'.repeat(100)}`)).bytes.toString(), 'nfc');
    assert.equal((await admin.download(`/${decomposed}`)).bytes.toString(), 'nfc');
  });
});

describe('missing parent folder', () => {
  test('upload, mkdir, move and copy into a folder that does not exist: 404', async () => {
    const before = await rootNames();
    await refused(call(admin, 'PUT', `/fs/content${q('/nope/a.txt')}`, { body: 'x' }), 404, 'NOT_FOUND');
    await refused(
      call(admin, 'PUT', `/fs/content${q('/victim/nope/deeper/a.txt')}`, { body: 'x' }),
      404,
      'NOT_FOUND',
    );
    await refused(
      call(admin, 'POST', `/fs/upload${q('/nope')}`, { body: uploadForm('a.txt', 'x') }),
      404,
      'NOT_FOUND',
    );
    await refused(call(admin, 'POST', '/fs/mkdir', { json: { path: '/nope/sub' } }), 404, 'NOT_FOUND');
    await refused(
      call(admin, 'POST', '/fs/move', { json: { from: '/victim/keep.txt', to: '/nope/keep.txt' } }),
      404,
      'NOT_FOUND',
    );
    await refused(
      call(admin, 'POST', '/fs/copy', { json: { from: '/victim/keep.txt', to: '/nope/keep.txt' } }),
      404,
      'NOT_FOUND',
    );
    // A file is not a folder either.
    await refused(
      call(admin, 'PUT', `/fs/content${q('/victim/keep.txt/child')}`, { body: 'x' }),
      404,
      'NOT_FOUND',
    );
    await refused(
      call(admin, 'POST', '/fs/mkdir', { json: { path: '/victim/keep.txt/sub', parents: true } }),
      409,
    );
    // Missing sources.
    await refused(call(admin, 'POST', '/fs/move', { json: { from: '/nope/a', to: '/a' } }), 404, 'NOT_FOUND');
    await refused(call(admin, 'POST', '/fs/delete', { json: { path: '/nope' } }), 404, 'NOT_FOUND');
    await refused(call(admin, 'GET', `/fs/content${q('/nope.txt')}`), 404, 'NOT_FOUND');
    assert.deepEqual(await rootNames(), before);
    assert.equal((await admin.download('/victim/keep.txt')).bytes.toString(), 'keep me');
  });
});

describe('quota', () => {
  const QUOTA = 100_000;
  let user: ApiClient;

  before(async () => {
    await createUser(admin, 'small', 'small-password', { quotaBytes: QUOTA });
    user = await ApiClient.login(url, 'small', 'small-password');
    assert.equal((await user.post('/fs/mkdir', { path: '/in' })).status, 201);
  });

  test('a declared Content-Length over the quota is refused with 413 before the body is sent', async () => {
    const res = await streamUpload(user, '/in/big.bin', [], {
      contentLength: QUOTA + 1,
      pauseAfterHeaders: true,
    });
    assert.equal(res.sent, 0);
    assertError(asRaw(res), 413, 'QUOTA_EXCEEDED');
    // The server will not wait for a body it refused.
    assert.equal(res.headers.connection, 'close');
    assertError(await call(user, 'GET', `/fs/stat${q('/in/big.bin')}`), 404);
    assert.equal(await usedBytes(user), 0);
    await assertHealthy(url);
  });

  test('a chunked body with no Content-Length that crosses the quota mid-stream is 413 and leaves nothing', async () => {
    const first = randomBytes(60_000);
    assert.equal((await user.upload('/in/first.bin', first)).status, 201);
    assert.equal(await usedBytes(user), 60_000);

    const chunks = Array.from({ length: 64 }, () => randomBytes(16 * 1024)); // 1 MiB in all
    const res = await streamUpload(user, '/in/stream.bin', chunks);
    assertError(asRaw(res), 413, 'QUOTA_EXCEEDED');
    // The server answered before it had the whole body.
    assert.ok(res.sent < 64 * 16 * 1024, `the whole body was sent (${res.sent} bytes) before the answer`);
    assertError(await call(user, 'GET', `/fs/stat${q('/in/stream.bin')}`), 404);
    const list = await user.get<{ entries: Entry[] }>(`/fs/list${q('/in')}`);
    assert.deepEqual(
      list.body.entries.map((e) => e.name),
      ['first.bin'],
    );
    assert.equal(await usedBytes(user), 60_000);
    await assertHealthy(url);

    // What is left of the quota can still be used to the byte, and not one byte more.
    const rest = randomBytes(QUOTA - 60_000);
    const fits = await streamUpload(user, '/in/rest.bin', [rest]);
    assert.equal(fits.status, 201, fits.text);
    assert.equal(await usedBytes(user), QUOTA);
    const over = await streamUpload(user, '/in/one.bin', [Buffer.from('x')]);
    assert.equal(over.status, 413, over.text);
    assert.equal(await usedBytes(user), QUOTA);
    assert.ok((await user.download('/in/rest.bin')).bytes.equals(rest));
    assert.ok((await user.download('/in/first.bin')).bytes.equals(first));
  });

  test('a multipart upload over the quota is 413 too', async () => {
    const before = await usedBytes(user);
    const form = new FormData();
    form.append('file', new Blob([randomBytes(QUOTA)]), 'huge.bin');
    await refused(call(user, 'POST', `/fs/upload${q('/in')}`, { body: form }), 413, 'QUOTA_EXCEEDED');
    assertError(await call(user, 'GET', `/fs/stat${q('/in/huge.bin')}`), 404);
    assert.equal(await usedBytes(user), before);
  });

  test('a copy that would pass the quota is 413', async () => {
    assert.equal(await usedBytes(user), QUOTA);
    await refused(
      call(user, 'POST', '/fs/copy', { json: { from: '/in/first.bin', to: '/in/copy.bin' } }),
      413,
      'QUOTA_EXCEEDED',
    );
    assertError(await call(user, 'GET', `/fs/stat${q('/in/copy.bin')}`), 404);
    assert.equal(await usedBytes(user), QUOTA);
  });
});

describe('malformed requests', () => {
  test('malformed JSON, wrong types and wrong content types: 4xx JSON', async () => {
    const post = (path: string, body: string, type = 'application/json') =>
      raw(`${url}/api${path}`, { method: 'POST', headers: admin.headers({ 'content-type': type }), body });
    await refused(post('/fs/mkdir', '{"path":'), 400, 'BAD_REQUEST');
    await refused(post('/fs/mkdir', '{path: "/x"}'), 400, 'BAD_REQUEST');
    await refused(post('/fs/mkdir', '{"path":"/x"}}'), 400, 'BAD_REQUEST');
    await refused(post('/fs/mkdir', ''), 400, 'BAD_REQUEST');
    await refused(post('/fs/mkdir', '{"__proto__":{"path":"/x"}}'), 400);
    await refused(post('/fs/mkdir', '{"path":5}'), 400, 'INVALID_INPUT');
    await refused(post('/fs/mkdir', '[]'), 400, 'INVALID_INPUT');
    await refused(post('/fs/mkdir', 'null'), 400);
    await refused(post('/fs/mkdir', '"/x"'), 400, 'INVALID_INPUT');
    await refused(post('/fs/move', '{"from":"/victim"}'), 400, 'INVALID_INPUT');
    await refused(post('/trash/restore', '{"id":"1"}'), 400, 'INVALID_INPUT');
    await refused(
      post('/fs/versions/restore', '{"path":"/victim/keep.txt","versionId":1.5}'),
      400,
      'INVALID_INPUT',
    );
    await refused(post('/admin/users', '{"username":"q","password":"quota-password","quotaBytes":-1}'), 400);
    await refused(post('/fs/mkdir', 'path=/x', 'application/x-www-form-urlencoded'), 415);
    // text/plain is parsed as a string, which is not the object the call takes.
    await refused(post('/fs/mkdir', '{"path":"/x"}', 'text/plain'), 400, 'INVALID_INPUT');
    await refused(post('/fs/mkdir', JSON.stringify({ path: '/x', pad: 'p'.repeat(2 * 1024 * 1024) })), 413);
    await refused(post('/fs/upload?path=/victim', 'not multipart', 'multipart/form-data'), 400);
    await refused(
      post(
        '/fs/upload?path=/victim',
        '--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n',
        'multipart/form-data; boundary=b',
      ),
      400,
    );
    assert.ok(!(await rootNames()).includes('x'));
  });

  test('bad query values: 400', async () => {
    await refused(call(admin, 'GET', '/fs/list?path=/&limit=abc'), 400, 'INVALID_INPUT');
    await refused(call(admin, 'GET', '/fs/list?path=/&limit=0'), 400, 'INVALID_INPUT');
    await refused(call(admin, 'GET', '/fs/list?path=/&limit=100000'), 400, 'INVALID_INPUT');
    await refused(call(admin, 'GET', '/fs/list?path=/&sort=owner'), 400, 'INVALID_INPUT');
    await refused(call(admin, 'GET', '/fs/list?path=/&order=up'), 400, 'INVALID_INPUT');
    await refused(call(admin, 'GET', '/fs/list?path=/&cursor=not-a-cursor'), 400, 'BAD_CURSOR');
    await refused(
      call(admin, 'GET', `/fs/list?path=/&cursor=${Buffer.from('[1,2]').toString('base64url')}`),
      400,
      'BAD_CURSOR',
    );
    await refused(call(admin, 'GET', '/fs/stat'), 400, 'INVALID_INPUT');
    await refused(
      call(admin, 'GET', `/fs/content${q('/victim/keep.txt')}&version=abc`),
      400,
      'INVALID_INPUT',
    );
    await refused(
      call(admin, 'GET', `/fs/content${q('/victim/keep.txt')}&download=maybe`),
      400,
      'INVALID_INPUT',
    );
    await refused(call(admin, 'GET', `/fs/content${q('/victim')}`), 400, 'IS_A_FOLDER');
    await refused(call(admin, 'PUT', `/fs/content${q('/victim')}`, { body: 'x' }), 409, 'IS_A_FOLDER');
    await refused(call(admin, 'PUT', `/fs/content${q('/')}`, { body: 'x' }), 400, 'ROOT_PATH');
    await refused(call(admin, 'POST', '/fs/delete', { json: { path: '/' } }), 400, 'ROOT_PATH');
    await refused(call(admin, 'GET', `/fs/list${q('/victim/keep.txt')}`), 400, 'NOT_A_FOLDER');
    await refused(call(admin, 'GET', '/admin/users/abc'), 404);
    await refused(call(admin, 'PATCH', '/admin/users/abc', { json: {} }), 400, 'INVALID_INPUT');
    await refused(call(admin, 'PATCH', '/admin/users/99999', { json: {} }), 404, 'NOT_FOUND');
  });

  test('an unknown route is a 404 JSON, signed in or not', async () => {
    await refused(call(admin, 'GET', '/nope'), 404, 'NOT_FOUND');
    await refused(call(admin, 'DELETE', `/fs/content${q('/victim/keep.txt')}`), 404, 'NOT_FOUND');
    await refused(raw(`${url}/api/nope`), 404, 'NOT_FOUND');
    await refused(raw(`${url}/api/fs/..%2F..%2Fetc%2Fpasswd`), 404, 'NOT_FOUND');
    await refused(raw(`${url}/nope`, { method: 'POST' }), 404, 'NOT_FOUND');
    // Outside api/, a GET is the web UI's page (its router shows "not found"), never a file: fetch
    // resolves the %2e%2e itself, so this asks for /etc/passwd.
    for (const page of [`${url}/api/%2e%2e/%2e%2e/etc/passwd`, `${url}/nope`]) {
      const res = await raw(page);
      assert.equal(res.status, 200, page);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.doesNotMatch(res.text, /root:/);
    }
    // Broken percent-encoding is answered, not crashed on: in the path it is a bad URL; in the query
    // the undecodable sequence stays literal, so it names a file that does not exist.
    await refused(raw(`${url}/api/fs/%E0%A4%A`, { headers: { cookie: admin.cookie } }), 400, 'BAD_REQUEST');
    await refused(
      raw(`${url}/api/fs/stat?path=%2F%E0%A4%A`, { headers: { cookie: admin.cookie } }),
      404,
      'NOT_FOUND',
    );
    await refused(raw(`${url}/%zz`), 400, 'BAD_REQUEST');
    // A route parameter over Fastify's length limit is refused in the same shape.
    await refused(call(admin, 'PATCH', `/admin/users/${'1'.repeat(200)}`, { json: {} }), 414, 'BAD_REQUEST');
  });
});

function uploadForm(name: string, content: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([content]), name);
  return form;
}
