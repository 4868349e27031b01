import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { before, describe, test } from 'node:test';
import type { Entry } from '../../src/drive/entries.js';
import type { OpenFile } from '../../src/drive/files.js';
import type { ListPage } from '../../src/drive/tree.js';
import { ArchiveTickets } from '../../src/http/archive-tickets.js';
import { zipArchive, type ArchiveSource } from '../../src/http/zip-archive.js';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { tempDir } from '../helpers/temp.js';
import { assertError, assertHealthy, call, createUser, raw } from './support.js';
import { readZip, type Zip } from './zip-reader.js';

let app: RunningApp;
let alice: ApiClient;
let bob: ApiClient;

const big = pseudoRandom(1536 * 1024 + 77, 11);
const files: Record<string, Buffer> = {
  '/Album/a.txt': Buffer.from('first file\n'),
  '/Album/Ünïcode ✓ 名前.txt': Buffer.from('utf-8 name\n'),
  '/Album/empty.txt': Buffer.alloc(0),
  '/Album/sub/b.bin': big,
  '/Album/sub/c.txt': Buffer.from('c'),
  '/other.txt': Buffer.from('outside\n'),
};

before(async () => {
  app = await startApp({ BASE_PATH: '/drive' });
  const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
  await createUser(admin, 'alice', 'alice-password');
  await createUser(admin, 'bob', 'bob-password');
  alice = await ApiClient.login(app.url, 'alice', 'alice-password');
  bob = await ApiClient.login(app.url, 'bob', 'bob-password');
  for (const folder of ['/Album', '/Album/sub', '/Album/sub/empty', '/Album/sub/empty/deeper-empty']) {
    assert.equal((await alice.post('/fs/mkdir', { path: folder })).status, 201);
  }
  for (const [file, data] of Object.entries(files)) {
    assert.equal((await alice.upload(file, data)).status, 201, file);
  }
});

async function ticket(client: ApiClient, paths: string[]): Promise<string> {
  const res = await client.post<{ url: string; expiresAt: number }>('/fs/archive', { paths });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.url, /^\/drive\/api\/fs\/archive\/[A-Za-z0-9_-]{32}$/);
  assert.ok(res.body.expiresAt > Date.now() && res.body.expiresAt <= Date.now() + 60_000);
  return res.body.url;
}

async function download(client: ApiClient, url: string): Promise<{ res: Response; bytes: Buffer }> {
  const res = await fetch(`${app.origin}${url}`, { headers: { cookie: client.cookie } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Also lets Info-ZIP's unzip test the archive (CRCs, structure) when it is installed. */
function checkWithUnzip(bytes: Buffer): void {
  if (!existsSync('/usr/bin/unzip')) return;
  const file = path.join(tempDir('hubdrive-zip'), 'a.zip');
  writeFileSync(file, bytes);
  assert.match(execFileSync('/usr/bin/unzip', ['-tq', file]).toString(), /No errors detected/);
}

function byName(zip: Zip): Map<string, Buffer> {
  return new Map(zip.entries.map((e) => [e.name, e.data]));
}

describe('zip downloads', () => {
  test('a folder: every file and folder under it, empty folders as directory entries', async () => {
    const { res, bytes } = await download(alice, await ticket(alice, ['/Album']));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="Album.zip"; filename*=UTF-8''Album.zip`,
    );
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const zip = readZip(bytes);
    assert.deepEqual(
      zip.entries.map((e) => e.name).sort(),
      [
        'Album/',
        'Album/a.txt',
        'Album/empty.txt',
        'Album/sub/',
        'Album/sub/b.bin',
        'Album/sub/c.txt',
        'Album/sub/empty/',
        'Album/sub/empty/deeper-empty/',
        'Album/Ünïcode ✓ 名前.txt',
      ].sort(),
    );
    const data = byName(zip);
    for (const [file, content] of Object.entries(files)) {
      if (file.startsWith('/Album/')) assert.ok(data.get(file.slice(1))!.equals(content), file);
    }
    for (const entry of zip.entries) {
      assert.equal(entry.utf8, true, `${entry.name}: UTF-8 flag`);
      assert.equal(entry.method, 0, `${entry.name}: stored`);
      assert.equal(entry.zip64, false);
      assert.ok(entry.mtime !== null && Math.abs(entry.mtime * 1000 - Date.now()) < 3600_000, entry.name);
    }
    assert.equal(zip.zip64End, false);
    checkWithUnzip(bytes);
  });

  test('a selection in one folder, and the whole drive', async () => {
    const { res, bytes } = await download(
      alice,
      await ticket(alice, ['/Album/a.txt', '/Album/sub', '/Album/a.txt']),
    );
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="download.zip"; filename*=UTF-8''download.zip`,
    );
    const zip = readZip(bytes);
    assert.deepEqual(
      zip.entries.map((e) => e.name).sort(),
      ['a.txt', 'sub/', 'sub/b.bin', 'sub/c.txt', 'sub/empty/', 'sub/empty/deeper-empty/'].sort(),
    );
    assert.ok(byName(zip).get('sub/b.bin')!.equals(big));
    checkWithUnzip(bytes);

    const whole = readZip((await download(alice, await ticket(alice, ['/']))).bytes);
    const names = whole.entries.map((e) => e.name);
    assert.ok(names.includes('other.txt') && names.includes('Album/') && names.includes('Album/sub/b.bin'));
    assert.equal(names.length, 10);
    assert.ok(byName(whole).get('other.txt')!.equals(files['/other.txt']!));
  });

  test('names that start like a Windows drive ("C: backup") are zipped, with a full-width colon', async () => {
    assert.equal((await bob.post('/fs/mkdir', { path: '/C: backup' })).status, 201);
    assert.equal((await bob.upload('/C: backup/in.txt', Buffer.from('inside'))).status, 201);
    assert.equal((await bob.upload('/D:report.txt', Buffer.from('report'))).status, 201);
    const folder = readZip((await download(bob, await ticket(bob, ['/C: backup']))).bytes);
    assert.deepEqual(folder.entries.map((e) => e.name).sort(), ['C\uFF1A backup/', 'C\uFF1A backup/in.txt']);
    const whole = await download(bob, await ticket(bob, ['/']));
    assert.equal(whole.res.status, 200);
    const entries = byName(readZip(whole.bytes));
    assert.equal(entries.get('D\uFF1Areport.txt')?.toString(), 'report');
    assert.equal(entries.get('C\uFF1A backup/in.txt')?.toString(), 'inside');
    checkWithUnzip(whole.bytes);
  });

  test('a ticket is used once, by the session that asked for it', async () => {
    const url = await ticket(alice, ['/Album/a.txt']);
    // Another user, no sign-in, and the same user signed in elsewhere: refused, and the ticket stays.
    assertError(await raw(`${app.origin}${url}`, { headers: { cookie: bob.cookie } }), 404, 'NOT_FOUND');
    assertError(await raw(`${app.origin}${url}`), 401);
    const again = await ApiClient.login(app.url, 'alice', 'alice-password');
    assertError(await raw(`${app.origin}${url}`, { headers: { cookie: again.cookie } }), 404, 'NOT_FOUND');
    // HEAD does not use it up either.
    assert.equal(
      (await raw(`${app.origin}${url}`, { method: 'HEAD', headers: { cookie: alice.cookie } })).status,
      404,
    );
    const first = await download(alice, url);
    assert.equal(first.res.status, 200);
    assert.deepEqual(
      readZip(first.bytes).entries.map((e) => e.name),
      ['a.txt'],
    );
    assertError(await raw(`${app.origin}${url}`, { headers: { cookie: alice.cookie } }), 404, 'NOT_FOUND');
    assertError(
      await raw(`${app.origin}/drive/api/fs/archive/not-a-ticket`, { headers: { cookie: alice.cookie } }),
      404,
    );
  });

  test('a ticket expires after a minute', () => {
    let now = 1_000_000;
    const tickets = new ArchiveTickets({ ttlMs: 60_000, maxPerUser: 2, now: () => now });
    const request = { userId: 1, sessionKey: 'k', paths: ['/a'] };
    const early = tickets.issue(request);
    const late = tickets.issue(request);
    assert.equal(early.expiresAt, 1_060_000);
    now += 59_999;
    assert.deepEqual(tickets.take(early.ticket, 1, 'k'), request);
    now += 1;
    assert.equal(tickets.take(late.ticket, 1, 'k'), null);
    // Beyond maxPerUser, the oldest goes.
    now = 2_000_000;
    const [x, y, z] = [tickets.issue(request), tickets.issue(request), tickets.issue(request)];
    assert.equal(tickets.take(x.ticket, 1, 'k'), null);
    assert.deepEqual(tickets.take(y.ticket, 1, 'k'), request);
    assert.deepEqual(tickets.take(z.ticket, 1, 'k'), request);
  });

  test('refusals: CSRF, other folders, missing paths, bad input', async () => {
    const noCsrf = await raw(`${alice.baseUrl}/api/fs/archive`, {
      method: 'POST',
      headers: { cookie: alice.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ paths: ['/Album'] }),
    });
    assertError(noCsrf, 403, 'CSRF');
    assertError(
      await call(alice, 'POST', '/fs/archive', { json: { paths: ['/Album/a.txt', '/other.txt'] } }),
      400,
      'NOT_SAME_FOLDER',
    );
    assertError(
      await call(alice, 'POST', '/fs/archive', { json: { paths: ['/Album/nope.txt'] } }),
      404,
      'NOT_FOUND',
    );
    assertError(await call(alice, 'POST', '/fs/archive', { json: { paths: [] } }), 400, 'INVALID_INPUT');
    assertError(
      await call(alice, 'POST', '/fs/archive', { json: { paths: '/Album' } }),
      400,
      'INVALID_INPUT',
    );
    assertError(
      await call(alice, 'POST', '/fs/archive', { json: { paths: ['/../x'] } }),
      400,
      'INVALID_NAME',
    );
    // Bob cannot zip Alice's files: his paths are his own tree.
    assertError(await call(bob, 'POST', '/fs/archive', { json: { paths: ['/Album'] } }), 404, 'NOT_FOUND');
    // What vanished between the ticket and the download is a JSON 404, before any byte.
    assert.equal((await alice.post('/fs/mkdir', { path: '/Gone' })).status, 201);
    const url = await ticket(alice, ['/Gone']);
    assert.equal((await alice.post('/fs/delete', { path: '/Gone' })).status, 204);
    assertError(await raw(`${app.origin}${url}`, { headers: { cookie: alice.cookie } }), 404, 'NOT_FOUND');
  });

  test('a client that hangs up mid-download leaves the server healthy', async () => {
    const url = await ticket(alice, ['/Album/sub']);
    await new Promise<void>((resolve, reject) => {
      const request = http.get(`${app.origin}${url}`, { headers: { cookie: alice.cookie } }, (res) => {
        assert.equal(res.statusCode, 200);
        res.once('data', () => {
          request.destroy();
          resolve();
        });
      });
      request.on('error', (error) => {
        if (!request.destroyed) reject(error);
      });
    });
    await assertHealthy(app.url);
    const { res } = await download(alice, await ticket(alice, ['/Album']));
    assert.equal(res.status, 200);
  });
});

/** An OpenFile whose bytes are made on demand, to watch what the archive reads. */
function generatedFile(name: string, size: number, onStream: (stream: Readable) => void): OpenFile {
  const entry: Entry = {
    id: 1,
    name,
    path: `/${name}`,
    kind: 'file',
    size,
    createdAt: 0,
    modifiedAt: 0,
    etag: '"x"',
  };
  return {
    entry,
    size,
    etag: '"x"',
    versionId: 1,
    stream: () => {
      let made = 0;
      const stream = new Readable({
        read() {
          const piece = Math.min(64 * 1024, size - made);
          made += piece;
          this.push(piece > 0 ? Buffer.alloc(piece, 7) : null);
        },
      });
      onStream(stream);
      return stream;
    },
    leases: () => {
      throw new Error('not used');
    },
  };
}

function dirEntry(path: string): Entry {
  return {
    id: 2,
    name: path.split('/').pop()!,
    path,
    kind: 'dir',
    size: 0,
    createdAt: 0,
    modifiedAt: 0,
    etag: null,
  };
}

describe('the zip writer', () => {
  test('stops reading when its output is destroyed', async () => {
    const streams: Readable[] = [];
    const opened: string[] = [];
    const size = 256 * 1024 * 1024;
    const source: ArchiveSource = {
      list: () => Promise.reject(new Error('no folders here')),
      open: async (p) => {
        opened.push(p);
        return generatedFile(p.slice(1), size, (s) => streams.push(s));
      },
    };
    const files = ['/one.bin', '/two.bin'].map((p) => generatedFile(p.slice(1), size, () => {}).entry);
    const archive = zipArchive(source, files);
    let received = 0;
    for await (const part of archive) {
      received += (part as Buffer).length;
      if (received > 1024 * 1024) break; // for await destroys the stream on break
    }
    const first = streams[0]!;
    if (!first.destroyed) await once(first, 'close');
    assert.equal(first.destroyed, true);
    assert.equal(streams.length, 1, 'the second file was never read');
    assert.ok(opened.length <= 2);
  });

  // yazl scans its entries on every step, so this takes seconds (40,000 entries: about 3 s of CPU).
  test('65,536 entries get ZIP64 end records; folders are read a page at a time', async () => {
    const count = 65_535;
    const pageSize = 500;
    let pages = 0;
    const source: ArchiveSource = {
      list: async (p, cursor): Promise<ListPage> => {
        if (p !== '/many') return { entries: [], nextCursor: null, total: 0 };
        pages++;
        const start = cursor ? Number(cursor) : 0;
        const end = Math.min(count, start + pageSize);
        const entries: Entry[] = [];
        for (let i = start; i < end; i++) entries.push(dirEntry(`/many/d${i}`));
        return { entries, nextCursor: end < count ? String(end) : null, total: count };
      },
      open: () => Promise.reject(new Error('no files here')),
    };
    const parts: Buffer[] = [];
    for await (const part of zipArchive(source, [dirEntry('/many')])) parts.push(part as Buffer);
    const zip = readZip(Buffer.concat(parts));
    assert.equal(zip.zip64End, true);
    assert.equal(zip.entries.length, count + 1);
    assert.equal(zip.entries[0]!.name, 'many/');
    assert.equal(zip.entries[count]!.name, `many/d${count - 1}/`);
    assert.equal(pages, Math.ceil(count / pageSize));
  });
});
