import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { before, describe, test } from 'node:test';
import sharp, { type Metadata } from 'sharp';
import { sniffImageFormat } from '../../src/http/thumbnails/image-format.js';
import { JobLimiter } from '../../src/http/thumbnails/job-limiter.js';
import { ThumbnailCache } from '../../src/http/thumbnails/thumbnail-cache.js';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { tempDir } from '../helpers/temp.js';
import { assertError, call, createUser, raw, type Entry, type RawResponse } from './support.js';

let app: RunningApp;
let alice: ApiClient;
let bob: ApiClient;
const entries: Record<string, Entry> = {};

function solid(width: number, height: number) {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } });
}

/** A PNG whose header claims `width` x `height`: tiny on disk, huge once decoded. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100"/></svg>';

before(async () => {
  app = await startApp();
  const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
  await createUser(admin, 'alice', 'alice-password');
  await createUser(admin, 'bob', 'bob-password');
  alice = await ApiClient.login(app.url, 'alice', 'alice-password');
  bob = await ApiClient.login(app.url, 'bob', 'bob-password');
  assert.equal((await alice.post('/fs/mkdir', { path: '/pics' })).status, 201);
  const images: Record<string, Buffer> = {
    '/pics/wide.png': await solid(800, 600).png().toBuffer(),
    // Stored landscape, shown portrait: EXIF orientation 6 turns it a quarter.
    '/pics/rotated.jpg': await solid(800, 600).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    '/pics/small.gif': await solid(100, 50).gif().toBuffer(),
    '/pics/photo.webp': await solid(1000, 1000).webp().toBuffer(),
    '/pics/scan.tiff': await solid(300, 900).tiff().toBuffer(),
    '/pics/modern.avif': await solid(640, 480).avif().toBuffer(),
    '/pics/vector.svg': Buffer.from(SVG),
    '/pics/disguised.jpg': Buffer.from(SVG),
    '/pics/notes.txt': Buffer.from('not an image'),
    '/pics/broken.jpg': Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 0x42)]),
    '/pics/bomb.png': pngClaiming(10_000, 10_000),
    '/pics/huge.jpg': Buffer.alloc(50 * 1024 * 1024 + 1),
  };
  for (const [file, data] of Object.entries(images)) {
    const res = await alice.upload<Entry>(file, data);
    assert.equal(res.status, 201, file);
    entries[file] = res.body;
  }
});

function thumbnail(client: ApiClient, file: string, query = '', headers: Record<string, string> = {}) {
  return raw(`${client.baseUrl}/api/fs/thumbnail?path=${encodeURIComponent(file)}${query}`, {
    headers: { cookie: client.cookie, ...headers },
  });
}

async function imageOf(res: RawResponse, url: string): Promise<Metadata> {
  assert.equal(res.status, 200, res.text);
  const bytes = Buffer.from(await (await fetch(url, { headers: { cookie: alice.cookie } })).arrayBuffer());
  return sharp(bytes).metadata();
}

describe('thumbnails', () => {
  test('WebP, fitted into the size asked for, oriented, never enlarged', async () => {
    const cases: [string, string, number, number][] = [
      ['/pics/wide.png', '', 256, 192],
      ['/pics/wide.png', '&size=128', 128, 96],
      ['/pics/wide.png', '&size=512', 512, 384],
      ['/pics/rotated.jpg', '&size=256', 192, 256],
      ['/pics/small.gif', '&size=512', 100, 50],
      ['/pics/photo.webp', '&size=128', 128, 128],
      ['/pics/scan.tiff', '&size=256', 85, 256],
      ['/pics/modern.avif', '&size=128', 128, 96],
    ];
    for (const [file, query, width, height] of cases) {
      const url = `${alice.baseUrl}/api/fs/thumbnail?path=${encodeURIComponent(file)}${query}`;
      const res = await thumbnail(alice, file, query);
      assert.equal(res.status, 200, `${file}: ${res.text}`);
      assert.equal(res.headers.get('content-type'), 'image/webp');
      assert.equal(res.headers.get('cache-control'), 'private, max-age=86400');
      const meta = await imageOf(res, url);
      assert.equal(meta.format, 'webp', file);
      assert.deepEqual([meta.width, meta.height], [width, height], `${file}${query}`);
    }
  });

  test('ETag from the content, 304 on a match, kept on disk under DATA_DIR/thumbs', async () => {
    const entry = entries['/pics/wide.png']!;
    const hash = entry.etag!.replace(/"/g, '');
    const first = await thumbnail(alice, '/pics/wide.png', '&size=256');
    assert.equal(first.headers.get('etag'), `W/"${hash}-256"`);
    const cached = path.join(app.dataDir, 'thumbs', hash.slice(0, 2), `${hash}-256.webp`);
    assert.ok(existsSync(cached), cached);
    const again = await fetch(`${alice.baseUrl}/api/fs/thumbnail?path=%2Fpics%2Fwide.png`, {
      headers: { cookie: alice.cookie },
    });
    assert.ok(Buffer.from(await again.arrayBuffer()).equals(readFileSync(cached)));
    for (const tag of [`W/"${hash}-256"`, `"${hash}-256"`, `"other", W/"${hash}-256"`]) {
      const res = await thumbnail(alice, '/pics/wide.png', '', { 'if-none-match': tag });
      assert.equal(res.status, 304, tag);
      assert.equal(res.headers.get('etag'), `W/"${hash}-256"`);
      assert.equal(res.headers.get('cache-control'), 'private, max-age=86400');
    }
    assert.equal(
      (await thumbnail(alice, '/pics/wide.png', '&size=128', { 'if-none-match': `W/"${hash}-256"` })).status,
      200,
    );
    // A new version: a new tag, and the old one no longer matches.
    const replaced = await alice.upload<Entry>('/pics/wide.png', await solid(400, 400).png().toBuffer());
    assert.equal(replaced.status, 200);
    const fresh = await thumbnail(alice, '/pics/wide.png', '', { 'if-none-match': `W/"${hash}-256"` });
    assert.equal(fresh.status, 200);
    assert.notEqual(fresh.headers.get('etag'), `W/"${hash}-256"`);
  });

  test('refused: other types (SVG above all, whatever its name), too large, too many pixels, broken', async () => {
    for (const file of ['/pics/vector.svg', '/pics/notes.txt']) {
      assertError(await thumbnail(alice, file), 415, 'NO_THUMBNAIL');
    }
    // Named .jpg, but its bytes are SVG: never handed to the decoder.
    assertError(await thumbnail(alice, '/pics/disguised.jpg'), 415, 'NO_THUMBNAIL');
    assertError(await thumbnail(alice, '/pics/huge.jpg'), 422, 'IMAGE_TOO_LARGE');
    assertError(await thumbnail(alice, '/pics/bomb.png'), 422, 'IMAGE_TOO_LARGE');
    assertError(await thumbnail(alice, '/pics/broken.jpg'), 422, 'IMAGE_UNREADABLE');
    assertError(await thumbnail(alice, '/pics'), 400, 'IS_A_FOLDER');
    assertError(await thumbnail(alice, '/pics/nope.png'), 404, 'NOT_FOUND');
    assertError(await thumbnail(alice, '/pics/wide.png', '&size=100'), 400, 'INVALID_INPUT');
    assertError(await thumbnail(bob, '/pics/wide.png'), 404, 'NOT_FOUND');
    assertError(await raw(`${app.url}/api/fs/thumbnail?path=%2Fpics%2Fwide.png`), 401);
    const health = await raw(`${app.url}/healthz`);
    assert.equal(health.status, 200);
  });
});

describe('thumbnails in a share', () => {
  test('follow the share rules and count no download', async () => {
    const created = await call(alice, 'POST', '/shares', { json: { path: '/pics', maxDownloads: 1 } });
    assert.equal(created.status, 201);
    const { token, share } = JSON.parse(created.text) as { token: string; share: { id: number } };
    const url = (file: string, query = '') =>
      `${app.url}/api/s/${token}/thumbnail?path=${encodeURIComponent(file)}${query}`;
    for (let i = 0; i < 3; i++) {
      const res = await raw(url('/photo.webp', '&size=128'));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('content-type'), 'image/webp');
    }
    const mine = await alice.get<{ shares: { id: number; downloads: number }[] }>('/shares');
    assert.equal(mine.body.shares.find((s) => s.id === share.id)!.downloads, 0);
    assertError(await raw(url('/../secret.png')), 400, 'INVALID_NAME');
    assertError(await raw(url('/vector.svg')), 415, 'NO_THUMBNAIL');
    assertError(await raw(`${app.url}/api/s/${'x'.repeat(32)}/thumbnail?path=%2Fphoto.webp`), 404);
    // Once its one download is used, the share shows nothing more.
    assert.equal((await raw(`${app.url}/api/s/${token}/content?path=%2Fsmall.gif`)).status, 200);
    assertError(await raw(url('/photo.webp')), 410, 'SHARE_USED_UP');

    const locked = await call(alice, 'POST', '/shares', {
      json: { path: '/pics/rotated.jpg', password: 'pass-1234' },
    });
    const lockedToken = (JSON.parse(locked.text) as { token: string }).token;
    const lockedUrl = `${app.url}/api/s/${lockedToken}/thumbnail`;
    assertError(await raw(lockedUrl), 401, 'SHARE_LOCKED');
    const unlock = await raw(`${app.url}/api/s/${lockedToken}/unlock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'pass-1234' }),
    });
    assert.equal(unlock.status, 200);
    const cookie = unlock.headers.getSetCookie()[0]!.split(';')[0]!;
    const res = await raw(lockedUrl, { headers: { cookie } });
    assert.equal(res.status, 200, res.text);
  });
});

describe('thumbnail parts', () => {
  test('formats are recognised by their bytes only', async () => {
    assert.equal(sniffImageFormat(await solid(4, 4).jpeg().toBuffer()), 'jpeg');
    assert.equal(sniffImageFormat(await solid(4, 4).png().toBuffer()), 'png');
    assert.equal(sniffImageFormat(await solid(4, 4).gif().toBuffer()), 'gif');
    assert.equal(sniffImageFormat(await solid(4, 4).webp().toBuffer()), 'webp');
    assert.equal(sniffImageFormat(await solid(4, 4).tiff().toBuffer()), 'tiff');
    assert.equal(sniffImageFormat(await solid(4, 4).avif().toBuffer()), 'avif');
    for (const other of [SVG, '<?xml version="1.0"?><svg/>', '%PDF-1.7', 'GIF8', '', 'RIFF....WAVE']) {
      assert.equal(sniffImageFormat(Buffer.from(other)), null, other);
    }
  });

  test('the job limiter runs at most its limit at once, in order', async () => {
    const limiter = new JobLimiter(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    });
    const jobs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await gate.promise;
        running--;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1]);
    gates[1]!.resolve();
    await jobs[1];
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1, 2]);
    for (const gate of gates) gate.resolve();
    assert.deepEqual(await Promise.all(jobs), [0, 1, 2, 3, 4]);
    assert.equal(peak, 2);
  });

  test('the disk cache is bounded, least recently used first, and survives a restart', async () => {
    const dir = tempDir('hubdrive-thumbs');
    const key = (n: number) => `${String(n).repeat(40)}-256`;
    const file = (n: number) => path.join(dir, String(n).repeat(2), `${key(n)}.webp`);
    const cache = new ThumbnailCache({ dir, maxBytes: 250 });
    await cache.put(key(1), Buffer.alloc(100, 1));
    await cache.put(key(2), Buffer.alloc(100, 2));
    assert.ok((await cache.get(key(1)))!.equals(Buffer.alloc(100, 1)));
    await cache.put(key(3), Buffer.alloc(100, 3));
    // 2 was the least recently used.
    assert.equal(await cache.get(key(2)), null);
    assert.equal(existsSync(file(2)), false);
    assert.ok(existsSync(file(1)) && existsSync(file(3)));
    assert.equal(cache.bytes, 200);

    // What an interrupted write left behind goes at the next start.
    mkdirSync(path.join(dir, '44'), { recursive: true });
    writeFileSync(path.join(dir, '44', `${key(4)}.webp.abc.tmp`), 'partial');
    const restarted = new ThumbnailCache({ dir, maxBytes: 250 });
    assert.ok((await restarted.get(key(3)))!.equals(Buffer.alloc(100, 3)));
    assert.equal(restarted.bytes, 200);
    assert.deepEqual(readdirSync(path.join(dir, '44')), []);
  });
});
