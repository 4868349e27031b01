import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { assertError, call, q, raw, type Entry } from './support.js';

// Small chunks and packs, so a file of a few MiB spans many chunks and several packs and the ranges
// below cross their borders.
const SMALL_CHUNKS = {
  CHUNK_MIN: '64KiB',
  CHUNK_AVG: '128KiB',
  CHUNK_MAX: '256KiB',
  PACK_SIZE: '512KiB',
  STAGING_LIMIT: '16MiB',
};

const SIZE = 3 * 1024 * 1024 + 12_345;
const data = randomBytes(SIZE);
let client: ApiClient;
let etag: string;

before(async () => {
  const { url } = await startApp(SMALL_CHUNKS);
  client = await ApiClient.login(url, 'admin', ADMIN_PASSWORD);
  const put = await client.upload<Entry>('/data.bin', data);
  assert.equal(put.status, 201);
  etag = put.body.etag!;
  assert.match(etag, /^"[0-9a-f]+"$/);
  assert.equal(put.headers.get('etag'), etag);
});

function get(path: string, headers: Record<string, string> = {}, query = '') {
  return fetch(`${client.baseUrl}/api/fs/content${q(path)}${query}`, {
    headers: { cookie: client.cookie, ...headers },
  });
}

async function range(header: string, extra: Record<string, string> = {}) {
  return client.download('/data.bin', { range: header, ...extra });
}

describe('Range', () => {
  test('a full download has the size, the ETag and Accept-Ranges', async () => {
    const res = await client.download('/data.bin');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(SIZE));
    assert.equal(res.headers.get('etag'), etag);
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('content-range'), null);
    assert.ok(res.bytes.equals(data));
  });

  test('bytes=0-0, bytes=-1 and bytes=10- are 206 with the right Content-Range and bytes', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=-1', SIZE - 1, SIZE - 1],
      ['bytes=10-', 10, SIZE - 1],
      ['bytes=0-', 0, SIZE - 1],
      ['bytes=-100', SIZE - 100, SIZE - 1],
      [`bytes=${SIZE - 1}-${SIZE - 1}`, SIZE - 1, SIZE - 1],
      // An end past the file is cut to the file; a suffix longer than the file is the whole file.
      [`bytes=5-${SIZE * 4}`, 5, SIZE - 1],
      [`bytes=-${SIZE + 1000}`, 0, SIZE - 1],
    ];
    for (const [header, start, end] of cases) {
      const res = await range(header);
      assert.equal(res.status, 206, header);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${SIZE}`, header);
      assert.equal(res.headers.get('content-length'), String(end - start + 1), header);
      assert.equal(res.headers.get('etag'), etag);
      assert.ok(res.bytes.equals(data.subarray(start, end + 1)), `${header}: wrong bytes`);
    }
  });

  test('middle ranges, across chunk and pack borders, are byte-exact', async () => {
    const ranges: [number, number][] = [
      [1, 1],
      [65_535, 65_537],
      [100_000, 900_000],
      [524_287, 524_289],
      [SIZE - 300_000, SIZE - 2],
    ];
    for (let i = 0; i < 12; i++) {
      const start = Math.floor(Math.random() * SIZE);
      const end = Math.min(SIZE - 1, start + Math.floor(Math.random() * 600_000));
      ranges.push([start, end]);
    }
    for (const [start, end] of ranges) {
      const res = await range(`bytes=${start}-${end}`);
      assert.equal(res.status, 206);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${SIZE}`);
      assert.equal(res.bytes.length, end - start + 1);
      assert.ok(res.bytes.equals(data.subarray(start, end + 1)), `bytes=${start}-${end}: wrong bytes`);
    }
  });

  test('an unsatisfiable range is 416 with Content-Range: bytes */size', async () => {
    for (const header of [`bytes=${SIZE}-`, `bytes=${SIZE + 10}-${SIZE + 20}`, 'bytes=-0']) {
      const res = await range(header);
      assert.equal(res.status, 416, header);
      assert.equal(res.headers.get('content-range'), `bytes */${SIZE}`);
      const body = JSON.parse(res.bytes.toString()) as { error: { code: string } };
      assert.equal(body.error.code, 'RANGE_NOT_SATISFIABLE');
    }
  });

  test('several ranges, other units and malformed ranges get the whole file with 200', async () => {
    for (const header of [
      'bytes=0-1,5-6',
      'bytes=0-0, -1',
      'items=0-5',
      'bytes=abc',
      'bytes=9-3',
      'bytes=-',
    ]) {
      const res = await range(header);
      assert.equal(res.status, 200, header);
      assert.equal(res.headers.get('content-range'), null);
      assert.equal(res.headers.get('content-length'), String(SIZE));
      assert.ok(res.bytes.equals(data), `${header}: wrong bytes`);
    }
  });
});

describe('conditional requests', () => {
  test('If-Range with the current ETag gives 206, with a stale one the whole file', async () => {
    const current = await range('bytes=100-199', { 'if-range': etag });
    assert.equal(current.status, 206);
    assert.ok(current.bytes.equals(data.subarray(100, 200)));
    const stale = await range('bytes=100-199', { 'if-range': '"0000000000000000000000000000000000000000"' });
    assert.equal(stale.status, 200);
    assert.equal(stale.headers.get('content-range'), null);
    assert.ok(stale.bytes.equals(data));
    // A weak validator never matches If-Range.
    const weak = await range('bytes=100-199', { 'if-range': `W/${etag}` });
    assert.equal(weak.status, 200);
    // A date validator: the Last-Modified date applies the range.
    const lastModified = current.headers.get('last-modified')!;
    assert.ok(lastModified);
    const dated = await range('bytes=100-199', { 'if-range': lastModified });
    assert.equal(dated.status, 206);
  });

  test('If-Range goes stale once the file is overwritten', async () => {
    const first = Buffer.from('first version of the file');
    const put1 = await client.upload<Entry>('/changing.txt', first);
    const old = put1.body.etag!;
    const second = Buffer.from('SECOND version, longer than the first');
    const put2 = await client.upload<Entry>('/changing.txt', second);
    assert.equal(put2.status, 200);
    assert.notEqual(put2.body.etag, old);
    const res = await client.download('/changing.txt', { range: 'bytes=0-5', 'if-range': old });
    assert.equal(res.status, 200);
    assert.ok(res.bytes.equals(second));
    const fresh = await client.download('/changing.txt', { range: 'bytes=0-5', 'if-range': put2.body.etag! });
    assert.equal(fresh.status, 206);
    assert.equal(fresh.bytes.toString(), 'SECOND');
  });

  test('If-None-Match with the ETag is 304 without a body', async () => {
    for (const header of [etag, `W/${etag}`, `"abc", ${etag}`, '*']) {
      const res = await client.download('/data.bin', { 'if-none-match': header });
      assert.equal(res.status, 304, header);
      assert.equal(res.bytes.length, 0);
      assert.equal(res.headers.get('etag'), etag);
    }
    const other = await client.download('/data.bin', { 'if-none-match': '"abc"' });
    assert.equal(other.status, 200);
    assert.ok(other.bytes.equals(data));
  });

  test('HEAD has the real Content-Length and no body', async () => {
    const head = await fetch(`${client.baseUrl}/api/fs/content${q('/data.bin')}`, {
      method: 'HEAD',
      headers: { cookie: client.cookie },
    });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(SIZE));
    assert.equal(head.headers.get('etag'), etag);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const ranged = await fetch(`${client.baseUrl}/api/fs/content${q('/data.bin')}`, {
      method: 'HEAD',
      headers: { cookie: client.cookie, range: 'bytes=10-19' },
    });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-length'), '10');
    assert.equal(ranged.headers.get('content-range'), `bytes 10-19/${SIZE}`);
    assert.equal((await ranged.arrayBuffer()).byteLength, 0);
    // HEAD of something missing is a 404 with no body.
    const missing = await fetch(`${client.baseUrl}/api/fs/content${q('/missing.bin')}`, {
      method: 'HEAD',
      headers: { cookie: client.cookie },
    });
    assert.equal(missing.status, 404);
  });
});

describe('names and types', () => {
  test('Content-Disposition carries a UTF-8 name that decodes back exactly', async () => {
    const name = '报告 (最终) #1.pdf';
    const pdf = Buffer.from('%PDF-1.4 not really a pdf');
    assert.equal((await client.upload(`/${name}`, pdf)).status, 201);
    const inline = await get(`/${name}`);
    assert.equal(inline.status, 200);
    assert.equal(inline.headers.get('content-type'), 'application/pdf');
    const disposition = inline.headers.get('content-disposition')!;
    assert.match(disposition, /^inline;/);
    const star = /filename\*=UTF-8''([^;\s]+)/.exec(disposition);
    assert.ok(star, disposition);
    assert.equal(decodeURIComponent(star[1]!), name);
    // Characters that would break the header are never sent raw.
    assert.doesNotMatch(star[1]!, /[()'\s]/);
    const fallback = /filename="([^"]*)"/.exec(disposition);
    assert.ok(fallback, disposition);
    assert.match(fallback[1]!, /^[\x20-\x7e]*$/);
    assert.ok(Buffer.from(await inline.arrayBuffer()).equals(pdf));

    const attachment = await get(`/${name}`, {}, '&download=1');
    assert.equal(attachment.status, 200);
    const value = attachment.headers.get('content-disposition')!;
    assert.match(value, /^attachment;/);
    assert.equal(decodeURIComponent(/filename\*=UTF-8''([^;\s]+)/.exec(value)![1]!), name);
    await attachment.arrayBuffer();
  });

  test('quotes, semicolons and percent signs in a name stay inside the header', async () => {
    const name = 'a "quoted" 100% ; name,\u00e9.txt';
    assert.equal((await client.upload(`/${name}`, 'x')).status, 201);
    const res = await get(`/${name}`, {}, '&download=true');
    const value = res.headers.get('content-disposition')!;
    assert.match(value, /^attachment; filename="[^"\\]*"; filename\*=UTF-8''[^;\s"]+$/);
    assert.equal(decodeURIComponent(/filename\*=UTF-8''(\S+)$/.exec(value)![1]!), name);
    await res.arrayBuffer();
  });

  test('HTML and SVG shown inline are plain text in a sandbox', async () => {
    const html = '<!doctype html><script>alert(document.cookie)</script>';
    for (const name of ['/page.html', '/page.htm', '/image.svg', '/page.xhtml']) {
      assert.equal((await client.upload(name, html)).status, 201);
      const res = await get(name);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/plain/, name);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /\bsandbox\b/, name);
      assert.match(csp, /default-src 'none'/);
      assert.equal(await res.text(), html);
    }
    // As an attachment the file keeps its type: it is saved, not rendered.
    const saved = await get('/page.html', {}, '&download=1');
    assert.match(saved.headers.get('content-disposition')!, /^attachment;/);
    assert.match(saved.headers.get('content-security-policy') ?? '', /\bsandbox\b/);
    await saved.arrayBuffer();
  });

  test('a zero-length file downloads as 0 bytes with 200', async () => {
    const put = await client.upload<Entry>('/empty.txt', new Uint8Array(0));
    assert.equal(put.status, 201);
    assert.equal(put.body.size, 0);
    const res = await client.download('/empty.txt');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), '0');
    assert.equal(res.bytes.length, 0);
    assert.ok(res.headers.get('etag'));
    // No byte of it can be asked for.
    const ranged = await client.download('/empty.txt', { range: 'bytes=0-0' });
    assert.equal(ranged.status, 416);
    assert.equal(ranged.headers.get('content-range'), 'bytes */0');
    const stat = await client.get<Entry>(`/fs/stat${q('/empty.txt')}`);
    assert.equal(stat.body.size, 0);
  });

  test('an older version downloads by ?version=', async () => {
    const v1 = Buffer.from('version one');
    const v2 = Buffer.from('version two!');
    await client.upload('/versioned.txt', v1);
    await client.upload('/versioned.txt', v2);
    const list = await client.get<{ versions: { id: number; current: boolean }[] }>(
      `/fs/versions${q('/versioned.txt')}`,
    );
    const old = list.body.versions.find((v) => !v.current)!;
    const res = await get('/versioned.txt', {}, `&version=${old.id}`);
    assert.equal(res.status, 200);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(v1));
    assertError(
      await call(client, 'GET', `/fs/content${q('/versioned.txt')}&version=999999`),
      404,
      'NOT_FOUND',
    );
  });

  test('downloads need a session', async () => {
    const res = await raw(`${client.baseUrl}/api/fs/content${q('/data.bin')}`);
    assertError(res, 401, 'UNAUTHORIZED');
  });
});
