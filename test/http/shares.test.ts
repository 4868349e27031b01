import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, test } from 'node:test';
import pino from 'pino';
import { REDACTED_PATHS } from '../../src/app/hubdrive.js';
import type { Share, SharedEntry, SharedInfo, SharedPage } from '../../src/drive/shares.js';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { assertError, call, createUser, exactGet, q, raw, type RawResponse } from './support.js';

/** The app's real logger configuration, writing into memory, at the most talkative level. */
function recordingLogger(): { logger: pino.Logger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  return { logger, text: () => chunks.join('') };
}

let running: RunningApp;
let log: ReturnType<typeof recordingLogger>;
let alice: ApiClient;
let bob: ApiClient;
let admin: ApiClient;
let aliceId: number;
/** Every token handed out in this file, to look for in the logs and the database at the end. */
const tokens: string[] = [];
const PASSWORD = 'share-secret-42';

const movie = pseudoRandom(1024 * 1024 + 4321, 7);
const report = Buffer.from('quarterly report\n');
const secret = Buffer.from('alice private notes\n');

before(async () => {
  log = recordingLogger();
  running = await startApp({ LOG_LEVEL: 'trace' }, { logger: log.logger });
  admin = await ApiClient.login(running.url, 'admin', ADMIN_PASSWORD);
  aliceId = (await createUser(admin, 'alice', 'alice-password')).id;
  await createUser(admin, 'bob', 'bob-password');
  alice = await ApiClient.login(running.url, 'alice', 'alice-password');
  bob = await ApiClient.login(running.url, 'bob', 'bob-password');
  for (const folder of ['/Shared', '/Shared/sub', '/Shared/sub/deeper', '/Other']) {
    assert.equal((await alice.post('/fs/mkdir', { path: folder })).status, 201);
  }
  const files: [string, Buffer][] = [
    ['/movie.mp4', movie],
    ['/secret.txt', secret],
    ['/Shared/report.txt', report],
    ['/Shared/a.bin', Buffer.from('a')],
    ['/Shared/b.bin', Buffer.from('bb')],
    ['/Shared/sub/inner.txt', Buffer.from('inner file')],
    ['/Shared/sub/deeper/leaf.txt', Buffer.from('leaf')],
    ['/Other/elsewhere.txt', Buffer.from('not shared')],
  ];
  for (const [file, bytes] of files) assert.equal((await alice.upload(file, bytes)).status, 201);
});

interface CreateAnswer {
  share: Share;
  token: string;
}

async function share(client: ApiClient, body: Record<string, unknown>): Promise<CreateAnswer> {
  const res = await client.post<CreateAnswer>('/shares', body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  tokens.push(res.body.token);
  return res.body;
}

async function myShares(client: ApiClient): Promise<Share[]> {
  const res = await client.get<{ shares: Share[] }>('/shares');
  assert.equal(res.status, 200);
  return res.body.shares;
}

/** An anonymous request to a share's public URL; `cookie` is what the visitor's browser holds. */
function visit(token: string, rest = '', init: { cookie?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  return raw(`${running.url}/api/s/${token}${rest}`, { headers });
}

async function visitBytes(
  token: string,
  rest: string,
  init: { cookie?: string; headers?: Record<string, string>; method?: string } = {},
): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  const res = await fetch(`${running.url}/api/s/${token}${rest}`, { headers, method: init.method ?? 'GET' });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

function unlock(token: string, password: string): Promise<RawResponse> {
  return raw(`${running.url}/api/s/${token}/unlock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
}

/** The name=value pair of a Set-Cookie, its flags in lower case, and its path as sent. */
function cookieOf(
  headers: Headers,
  name: string,
): { pair: string; attributes: string[]; path: string | undefined } | null {
  const line = headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!line) return null;
  const [pair, ...attributes] = line.split(';').map((s) => s.trim());
  const path = attributes.find((a) => /^path=/i.test(a))?.slice('path='.length);
  return { pair: pair!, attributes: attributes.map((a) => a.toLowerCase()), path };
}

function shareOf(res: RawResponse): SharedInfo {
  assert.equal(res.status, 200, res.text);
  return (JSON.parse(res.text) as { share: SharedInfo }).share;
}

describe('an owner creates, lists and revokes shares', () => {
  test('the token is in the create answer only; the list shows the share without it', async () => {
    const expiresAt = Date.now() + 3600_000;
    const created = await share(alice, {
      path: '/Shared/report.txt',
      password: PASSWORD,
      expiresAt,
      maxDownloads: 5,
    });
    assert.match(created.token, /^[A-Za-z0-9_-]{32}$/, 'a URL-safe token of 192 bits');
    assert.deepEqual(created.share, {
      id: created.share.id,
      nodeId: created.share.nodeId,
      name: 'report.txt',
      path: '/Shared/report.txt',
      kind: 'file',
      createdAt: created.share.createdAt,
      expiresAt,
      downloads: 0,
      maxDownloads: 5,
      hasPassword: true,
      state: 'active',
    });
    const folder = await share(alice, { path: '/Shared' });
    assert.notEqual(folder.token, created.token);

    const listed = await alice.get<{ shares: Share[] }>('/shares');
    const text = JSON.stringify(listed.body);
    assert.ok(!text.includes(created.token) && !text.includes(folder.token), 'a token is in the list');
    assert.doesNotMatch(text, /hash|token/i);
    const mine = listed.body.shares.filter((s) => s.id === created.share.id || s.id === folder.share.id);
    assert.deepEqual(
      mine.map((s) => [s.name, s.kind, s.hasPassword, s.path]),
      [
        ['Shared', 'dir', false, '/Shared'],
        ['report.txt', 'file', true, '/Shared/report.txt'],
      ],
      'newest first',
    );

    // The list follows the node when it moves.
    assert.equal(
      (await alice.post('/fs/move', { from: '/Shared/report.txt', to: '/Shared/r.txt' })).status,
      200,
    );
    const moved = (await myShares(alice)).find((s) => s.id === created.share.id)!;
    assert.equal(moved.path, '/Shared/r.txt');
    assert.equal(moved.name, 'r.txt');
    assert.equal(
      (await alice.post('/fs/move', { from: '/Shared/r.txt', to: '/Shared/report.txt' })).status,
      200,
    );

    // Revoked: the link is gone at once.
    assert.equal(shareOf(await visit(folder.token)).kind, 'dir');
    const revoked = await call(alice, 'DELETE', `/shares/${folder.share.id}`);
    assert.equal(revoked.status, 204);
    assertError(await visit(folder.token), 404, 'NOT_FOUND');
    assertError(await call(alice, 'DELETE', `/shares/${folder.share.id}`), 404);
    assert.ok(!(await myShares(alice)).some((s) => s.id === folder.share.id));
  });

  test('another user neither sees nor revokes my share; an admin sees only their own', async () => {
    const mine = await share(alice, { path: '/movie.mp4' });
    assert.ok(!(await myShares(bob)).some((s) => s.id === mine.share.id));
    assert.ok(!(await myShares(admin)).some((s) => s.id === mine.share.id));
    assertError(await call(bob, 'DELETE', `/shares/${mine.share.id}`), 404, 'NOT_FOUND');
    assertError(await call(admin, 'DELETE', `/shares/${mine.share.id}`), 404, 'NOT_FOUND');
    assert.equal(shareOf(await visit(mine.token)).name, 'movie.mp4');
    // Bob cannot share Alice's files either: his paths are his own drive.
    assertError(await call(bob, 'POST', '/shares', { json: { path: '/movie.mp4' } }), 404);
  });

  test('bad input is a clear 400, and signing in (with CSRF) is required', async () => {
    const cases: [Record<string, unknown>, number, string?][] = [
      [{}, 400, 'INVALID_INPUT'],
      [{ path: '/' }, 400, 'ROOT_PATH'],
      [{ path: '/nothing-here' }, 404, 'NOT_FOUND'],
      [{ path: '/secret.txt/x' }, 404, 'NOT_FOUND'],
      [{ path: '/../secret.txt' }, 400, 'INVALID_NAME'],
      [{ path: '/secret.txt', password: 'abc' }, 400, 'WEAK_PASSWORD'],
      [{ path: '/secret.txt', password: '' }, 400, 'WEAK_PASSWORD'],
      [{ path: '/secret.txt', password: 42 }, 400, 'INVALID_INPUT'],
      [{ path: '/secret.txt', expiresAt: Date.now() - 1000 }, 400, 'BAD_EXPIRY'],
      [{ path: '/secret.txt', expiresAt: 'tomorrow' }, 400, 'INVALID_INPUT'],
      [{ path: '/secret.txt', maxDownloads: 0 }, 400, 'INVALID_INPUT'],
      [{ path: '/secret.txt', maxDownloads: 1.5 }, 400, 'INVALID_INPUT'],
    ];
    for (const [body, status, code] of cases) {
      assertError(await call(alice, 'POST', '/shares', { json: body }), status, code);
    }
    assertError(await call(alice, 'DELETE', '/shares/abc'), 400, 'INVALID_INPUT');
    const anonymous = await raw(`${running.url}/api/shares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/secret.txt' }),
    });
    assertError(anonymous, 401);
    assertError(await raw(`${running.url}/api/shares`), 401);
    const noCsrf = await raw(`${running.url}/api/shares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: alice.cookie },
      body: JSON.stringify({ path: '/secret.txt' }),
    });
    assertError(noCsrf, 403, 'CSRF');
    assert.ok(!(await myShares(alice)).some((s) => s.name === 'secret.txt'), 'no share was made');
  });

  test('an unknown or malformed token is 404, like a revoked one', async () => {
    for (const token of ['A'.repeat(32), 'short', 'x'.repeat(90), '%00%2F..', '..']) {
      assertError(await visit(token), 404);
      assertError(await visit(token, '/content'), 404);
      assertError(await visit(token, '/list'), 404);
    }
  });
});

describe('a password share', () => {
  let token: string;
  let other: string;
  before(async () => {
    token = (await share(alice, { path: '/movie.mp4', password: PASSWORD })).token;
    other = (await share(alice, { path: '/Shared/report.txt', password: 'another-password' })).token;
  });

  test('shows its name but nothing else until the password is given', async () => {
    const info = shareOf(await visit(token));
    assert.deepEqual(info, {
      name: 'movie.mp4',
      kind: 'file',
      size: movie.length,
      modifiedAt: info.modifiedAt,
      needsPassword: true,
      unlocked: false,
      expiresAt: null,
      downloadsLeft: null,
    });
    assertError(await visit(token, '/content'), 401, 'SHARE_LOCKED');
    const head = await visitBytes(token, '/content', { method: 'HEAD' });
    assert.equal(head.status, 401);
  });

  test('a wrong password is 403 and sets no cookie', async () => {
    const wrong = await unlock(token, 'not-the-password');
    assertError(wrong, 403, 'WRONG_PASSWORD');
    assert.equal(wrong.headers.getSetCookie().length, 0);
    assertError(await unlock(token, ''), 403, 'WRONG_PASSWORD');
  });

  test('the right password grants an HttpOnly cookie scoped to this share; anonymous download is byte-exact', async () => {
    const res = await unlock(token, PASSWORD);
    const info = shareOf(res);
    assert.equal(info.unlocked, true);
    const cookie = cookieOf(res.headers, 'hd_share');
    assert.ok(cookie, `no grant cookie: ${JSON.stringify(res.headers.getSetCookie())}`);
    assert.ok(cookie.attributes.includes('httponly'));
    assert.ok(cookie.attributes.includes('samesite=lax'));
    assert.equal(cookie.path, `/api/s/${token}`);
    assert.ok(!cookie.pair.includes(PASSWORD));

    assert.equal(shareOf(await visit(token, '', { cookie: cookie.pair })).unlocked, true);
    const download = await visitBytes(token, '/content', { cookie: cookie.pair });
    assert.equal(download.status, 200);
    assert.ok(download.bytes.equals(movie), 'the bytes differ');
    assert.equal(download.headers.get('content-length'), String(movie.length));
    assert.match(download.headers.get('content-type') ?? '', /^video\/mp4/);
    const attachment = await visitBytes(token, '/content?download=1', { cookie: cookie.pair });
    assert.match(attachment.headers.get('content-disposition') ?? '', /^attachment; filename="movie.mp4"/);

    // The grant opens this share only; a forged or truncated one opens nothing.
    assertError(await visit(other, '/content', { cookie: cookie.pair }), 401, 'SHARE_LOCKED');
    const value = cookie.pair.slice('hd_share='.length);
    const [expiry] = value.split('.');
    for (const forged of [
      `${expiry}.${'A'.repeat(43)}`,
      `${Number(expiry) + 1}.${value.split('.')[1]}`,
      value.slice(0, -1),
      'garbage',
    ]) {
      assertError(await visit(token, '/content', { cookie: `hd_share=${forged}` }), 401, 'SHARE_LOCKED');
    }
  });

  test('password attempts are rate-limited like sign-in, per address and per share', async () => {
    // A server of its own (under a BASE_PATH), since the per-address budget is shared with sign-in;
    // it believes X-Forwarded-For, so that the test can speak from many addresses.
    const own = await startApp({ BASE_PATH: '/drive', TRUST_PROXY: 'true' });
    const owner = await ApiClient.login(own.url, 'admin', ADMIN_PASSWORD);
    assert.equal((await owner.upload('/f.txt', 'limited')).status, 201);
    const created = await owner.post<CreateAnswer>('/shares', { path: '/f.txt', password: PASSWORD });
    const token = created.body.token;
    tokens.push(token);
    const attempt = (password: string, from: string) =>
      raw(`${own.url}/api/s/${token}/unlock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify({ password }),
      });

    // The grant cookie is scoped to the share under BASE_PATH.
    const opened = await attempt(PASSWORD, '10.0.0.1');
    const cookie = cookieOf(opened.headers, 'hd_share');
    assert.equal(cookie?.path, `/drive/api/s/${token}`);
    const file = await raw(`${own.url}/api/s/${token}/content`, { headers: { cookie: cookie.pair } });
    assert.equal(file.text, 'limited');

    for (let i = 0; i < 10; i++) assertError(await attempt(`wrong-${i}`, '10.0.0.2'), 403, 'WRONG_PASSWORD');
    const limited = await attempt(PASSWORD, '10.0.0.2');
    assertError(limited, 429, 'TOO_MANY_REQUESTS');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    // Sign-in from that address is held back too: one budget per address.
    const login = await raw(`${own.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.2' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    assertError(login, 429);

    // Guessers spread over many addresses meet the share's own limit (50 failures).
    for (let i = 0; i < 40; i++) {
      assertError(await attempt(`wrong-${i}`, `10.0.1.${i}`), 403, 'WRONG_PASSWORD');
    }
    assertError(await attempt('right-or-not', '10.0.2.1'), 429, 'TOO_MANY_REQUESTS');
    await own.close();
  });
});

describe('expiry and the download limit', () => {
  test('an expired share is 410 everywhere, and shows as expired to its owner', async () => {
    const expiresAt = Date.now() + 1500;
    const created = await share(alice, { path: '/Shared', expiresAt });
    assert.equal(shareOf(await visit(created.token)).expiresAt, expiresAt);
    assert.equal((await visit(created.token, `/content${q('/a.bin')}`)).status, 200);
    await sleep(expiresAt - Date.now() + 50);
    assertError(await visit(created.token), 410, 'SHARE_EXPIRED');
    assertError(await visit(created.token, '/list'), 410, 'SHARE_EXPIRED');
    assertError(await visit(created.token, `/content${q('/a.bin')}`), 410, 'SHARE_EXPIRED');
    assertError(await unlock(created.token, 'whatever'), 410, 'SHARE_EXPIRED');
    const listed = (await myShares(alice)).find((s) => s.id === created.share.id)!;
    assert.equal(listed.state, 'expired');
  });

  test('a full GET counts once; Range and HEAD continuing it do not; past the limit: 410', async () => {
    const created = await share(alice, { path: '/movie.mp4', maxDownloads: 2 });
    const { token } = created;
    const downloads = async () => (await myShares(alice)).find((s) => s.id === created.share.id)!;

    const head = await visitBytes(token, '/content', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(movie.length));
    assert.equal((await downloads()).downloads, 0, 'HEAD counts nothing');

    const first = await visitBytes(token, '/content');
    assert.equal(first.status, 200);
    assert.ok(first.bytes.equals(movie));
    const ticket = cookieOf(first.headers, 'hd_share_dl');
    assert.ok(ticket, 'a counted download hands back a cookie to continue it');
    assert.ok(ticket.attributes.includes('httponly'));
    assert.equal(ticket.path, `/api/s/${token}`);
    assert.equal((await downloads()).downloads, 1);
    assert.equal(shareOf(await visit(token)).downloadsLeft, 1);

    // Seeking in the video: ranges from the same visitor count nothing more.
    for (const range of ['bytes=500000-', 'bytes=0-99', 'bytes=-10']) {
      const part = await visitBytes(token, '/content', { cookie: ticket.pair, headers: { range } });
      assert.equal(part.status, 206, range);
      assert.equal(part.headers.getSetCookie().length, 0);
    }
    const revalidated = await visitBytes(token, '/content', {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    assert.equal(revalidated.status, 304);
    assert.equal((await downloads()).downloads, 1);

    // Another visitor (no cookie) is another download: a ranged one too.
    const second = await visitBytes(token, '/content', { headers: { range: 'bytes=100-199' } });
    assert.equal(second.status, 206);
    assert.ok(second.bytes.equals(movie.subarray(100, 200)));
    const after = await downloads();
    assert.equal(after.downloads, 2);
    assert.equal(after.state, 'exhausted');

    assertError(await visit(token), 410, 'SHARE_USED_UP');
    assertError(await visit(token, '/content'), 410, 'SHARE_USED_UP');
    assertError(await visit(token, '/content', { headers: { range: 'bytes=10-20' } }), 410, 'SHARE_USED_UP');
    const refusedHead = await visitBytes(token, '/content', { method: 'HEAD' });
    assert.equal(refusedHead.status, 410);
    // The first visitor may still finish watching.
    const seek = await visitBytes(token, '/content', {
      cookie: ticket.pair,
      headers: { range: 'bytes=1000-1999' },
    });
    assert.equal(seek.status, 206);
    assert.ok(seek.bytes.equals(movie.subarray(1000, 2000)));
    assert.equal((await downloads()).downloads, 2);
  });

  test('parallel downloads cannot pass the limit', async () => {
    const { token, share: created } = await share(alice, { path: '/Shared/a.bin', maxDownloads: 3 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => visitBytes(token, '/content')));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 410, 410, 410, 410, 410]);
    const listed = (await myShares(alice)).find((s) => s.id === created.id)!;
    assert.equal(listed.downloads, 3);
  });
});

describe('a folder share', () => {
  let token: string;
  before(async () => {
    token = (await share(alice, { path: '/Shared' })).token;
  });

  const list = async (sub: string, extra = ''): Promise<SharedPage> => {
    const res = await visit(token, `/list${q(sub)}${extra}`);
    assert.equal(res.status, 200, res.text);
    return JSON.parse(res.text) as SharedPage;
  };

  test('lists its folders with paths relative to the shared folder, page by page', async () => {
    const top = await list('/');
    assert.equal(top.path, '/');
    assert.deepEqual(
      top.entries.map((e) => [e.name, e.path, e.kind]),
      [
        ['sub', '/sub', 'dir'],
        ['a.bin', '/a.bin', 'file'],
        ['b.bin', '/b.bin', 'file'],
        ['report.txt', '/report.txt', 'file'],
      ],
    );
    const entry: SharedEntry = top.entries.find((e) => e.name === 'report.txt')!;
    assert.deepEqual(Object.keys(entry).sort(), ['etag', 'kind', 'modifiedAt', 'name', 'path', 'size']);
    assert.equal(entry.size, report.length);
    assert.doesNotMatch(JSON.stringify(top), /Shared|alice/, 'the owner and the folder above leak');

    const deeper = await list('/sub/deeper');
    assert.deepEqual(
      deeper.entries.map((e) => e.path),
      ['/sub/deeper/leaf.txt'],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: SharedPage = await list('/', `&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.entries.length <= 1);
      seen.push(...page.entries.map((e) => e.name));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['sub', 'a.bin', 'b.bin', 'report.txt']);
    assertError(await visit(token, `/list${q('/report.txt')}`), 400, 'NOT_A_FOLDER');
    assertError(await visit(token, `/list${q('/missing')}`), 404);
  });

  test('downloads a file inside it, byte-exact, with the owner’s ETag', async () => {
    const res = await visitBytes(token, `/content${q('/sub/inner.txt')}`);
    assert.equal(res.status, 200);
    assert.equal(res.bytes.toString(), 'inner file');
    const owner = await alice.download('/Shared/sub/inner.txt');
    assert.equal(res.headers.get('etag'), owner.headers.get('etag'));
    assertError(await visit(token, '/content'), 400, 'IS_A_FOLDER');
    assertError(await visit(token, `/content${q('/sub')}`), 400, 'IS_A_FOLDER');
  });

  test('never reaches outside the shared folder', async () => {
    const refused = [
      '..',
      '../secret.txt',
      '/../secret.txt',
      '/sub/../../secret.txt',
      'sub/./../../Other/elsewhere.txt',
      '..\\secret.txt',
      'sub\\..\\..\\secret.txt',
      '/sub/deeper/../../../secret.txt',
    ];
    for (const sub of refused) {
      assertError(await visit(token, `/content${q(sub)}`), 400, 'INVALID_NAME');
      assertError(await visit(token, `/list${q(sub)}`), 400, 'INVALID_NAME');
    }
    // Encoded by hand: %2F and %2e decode to "/" and "." and are refused the same way; encoded twice
    // they are just odd names, which do not exist.
    for (const query of [
      '?path=..%2Fsecret.txt',
      '?path=%2e%2e%2Fsecret.txt',
      '?path=sub%2F%2E%2E%2F%2E%2E',
    ]) {
      assertError(await visit(token, `/content${query}`), 400, 'INVALID_NAME');
    }
    for (const query of [
      '?path=%252e%252e%252Fsecret.txt',
      '?path=%2Fsecret.txt',
      '?path=Other/elsewhere.txt',
    ]) {
      assertError(await visit(token, `/content${query}`), 404);
    }
    // Dot segments in the URL itself (sent as they are, not normalized by the client) reach no route.
    const base = new URL(running.url).pathname.replace(/\/$/, '');
    const climbed = await exactGet(
      running.origin,
      `${base}/api/s/${token}/../../fs/content${q('/secret.txt')}`,
    );
    assert.equal(climbed.status, 404);
    assert.ok(!climbed.text.includes(secret.toString()));
  });

  test('a file trashed inside the folder is gone from the share; restored, it is back', async () => {
    assert.equal((await alice.post('/fs/delete', { path: '/Shared/b.bin' })).status, 204);
    assertError(await visit(token, `/content${q('/b.bin')}`), 404);
    assert.ok(!(await list('/')).entries.some((e) => e.name === 'b.bin'));
    const trash = await alice.get<{ items: { id: number; name: string }[] }>('/trash');
    const item = trash.body.items.find((i) => i.name === 'b.bin')!;
    assert.equal((await alice.post('/trash/restore', { id: item.id })).status, 200);
    assert.equal((await visitBytes(token, `/content${q('/b.bin')}`)).bytes.toString(), 'bb');
  });
});

describe('the shared node in the trash, purged, and a disabled owner', () => {
  test('trashed: 404 while in the trash (also under a trashed folder); restored: the share is back', async () => {
    assert.equal((await alice.post('/fs/mkdir', { path: '/T' })).status, 201);
    assert.equal((await alice.upload('/T/doc.txt', 'doc')).status, 201);
    const fileShare = await share(alice, { path: '/T/doc.txt' });
    const folderShare = await share(alice, { path: '/T' });

    assert.equal((await alice.post('/fs/delete', { path: '/T/doc.txt' })).status, 204);
    assertError(await visit(fileShare.token), 404);
    assertError(await visit(fileShare.token, '/content'), 404);
    assert.equal((await myShares(alice)).find((s) => s.id === fileShare.share.id)!.state, 'trashed');
    let trash = await alice.get<{ items: { id: number; name: string }[] }>('/trash');
    let item = trash.body.items.find((i) => i.name === 'doc.txt')!;
    assert.equal((await alice.post('/trash/restore', { id: item.id })).status, 200);
    assert.equal((await visitBytes(fileShare.token, '/content')).bytes.toString(), 'doc');

    // Its folder goes to the trash: the file inside is not live either.
    assert.equal((await alice.post('/fs/delete', { path: '/T' })).status, 204);
    assertError(await visit(fileShare.token, '/content'), 404);
    assertError(await visit(folderShare.token, '/list'), 404);
    const listed = await myShares(alice);
    assert.equal(listed.find((s) => s.id === fileShare.share.id)!.path, null);
    trash = await alice.get<{ items: { id: number; name: string }[] }>('/trash');
    item = trash.body.items.find((i) => i.name === 'T')!;
    assert.equal((await alice.post('/trash/restore', { id: item.id })).status, 200);
    assert.equal((await visitBytes(fileShare.token, '/content')).bytes.toString(), 'doc');
    assert.equal(shareOf(await visit(folderShare.token)).kind, 'dir');

    // Purged for good: the shares go with it.
    assert.equal((await alice.post('/fs/delete', { path: '/T' })).status, 204);
    assert.equal((await alice.post('/trash/purge', { id: item.id })).status, 204);
    assertError(await visit(fileShare.token), 404);
    assertError(await visit(folderShare.token), 404);
    const ids = new Set((await myShares(alice)).map((s) => s.id));
    assert.ok(!ids.has(fileShare.share.id) && !ids.has(folderShare.share.id));
  });

  test("a disabled owner's shares stop working, and work again when re-enabled", async () => {
    const { token } = await share(alice, { path: '/Other' });
    assert.equal((await visit(token, '/list')).status, 200);
    assert.equal((await admin.request('PATCH', `/admin/users/${aliceId}`, { disabled: true })).status, 200);
    assertError(await visit(token), 404);
    assertError(await visit(token, `/content${q('/elsewhere.txt')}`), 404);
    assert.equal((await admin.request('PATCH', `/admin/users/${aliceId}`, { disabled: false })).status, 200);
    assert.equal((await visitBytes(token, `/content${q('/elsewhere.txt')}`)).bytes.toString(), 'not shared');
    alice = await ApiClient.login(running.url, 'alice', 'alice-password');
  });
});

describe('Range on a shared file', () => {
  let token: string;
  before(async () => {
    token = (await share(alice, { path: '/movie.mp4' })).token;
  });

  test('206 with Content-Range and the exact bytes; 416 outside; If-Range honoured', async () => {
    const ranged = await visitBytes(token, '/content', { headers: { range: 'bytes=10-99' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-range'), `bytes 10-99/${movie.length}`);
    assert.equal(ranged.headers.get('accept-ranges'), 'bytes');
    assert.ok(ranged.bytes.equals(movie.subarray(10, 100)));
    const tail = await visitBytes(token, '/content', { headers: { range: 'bytes=-1000' } });
    assert.ok(tail.bytes.equals(movie.subarray(movie.length - 1000)));
    const etag = ranged.headers.get('etag')!;
    const stale = await visitBytes(token, '/content', {
      headers: { range: 'bytes=0-9', 'if-range': '"stale"' },
    });
    assert.equal(stale.status, 200);
    assert.equal(stale.bytes.length, movie.length);
    const fresh = await visitBytes(token, '/content', { headers: { range: 'bytes=0-9', 'if-range': etag } });
    assert.equal(fresh.status, 206);
    const outside = await visit(token, '/content', { headers: { range: `bytes=${movie.length}-` } });
    assertError(outside, 416, 'RANGE_NOT_SATISFIABLE');
    assert.equal(outside.headers.get('content-range'), `bytes */${movie.length}`);
  });
});

describe('secrets', () => {
  test('no token appears in any log line, and the database holds no token or share password', async () => {
    // Make sure at least one of each kind of request was logged.
    assert.ok(tokens.length >= 10);
    const text = log.text();
    assert.match(text, /\/api\/s\/\[token\]\/content/, 'share requests are logged, without their token');
    for (const token of tokens) assert.ok(!text.includes(token), `a token is in the log`);
    assert.ok(!text.includes(PASSWORD), 'a share password is in the log');

    const files = ['hubdrive.db', 'hubdrive.db-wal']
      .map((name) => path.join(running.dataDir, name))
      .filter((file) => existsSync(file));
    assert.ok(files.length > 0);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const token of tokens) assert.ok(!bytes.includes(token), `a token is in ${path.basename(file)}`);
      assert.ok(!bytes.includes(PASSWORD), `a share password is in ${path.basename(file)}`);
    }
  });
});
