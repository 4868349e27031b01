import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { WebdavBackupConfig } from '../../src/config/config.js';
import type { Logger } from '../../src/observability/logger.js';
import {
  BackupError,
  copyName,
  WebdavBackup,
  type WebdavBackupOptions,
} from '../../src/meta/webdav-backup.js';
import { parseFolderListing } from '../../src/meta/webdav-multistatus.js';
import { defer } from '../helpers/cleanup.js';
import { RCLONE, startRclone as startRcloneAs, type WebdavServer } from '../helpers/rclone-webdav.js';
import { freePort } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';

const USER = 'backup-user';
const PASSWORD = 'backup-pass-Q7v';
const MiB = 1024 * 1024;

/** rclone with this suite's user and password. */
const startRclone = (root: string, port = 0) => startRcloneAs(root, { user: USER, password: PASSWORD, port });

interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * A loopback proxy in front of a WebDAV server that records each request. With `cutPutsAfter`, it
 * passes on only that many bytes of a PUT body and then drops both connections; with `answerPuts`,
 * it answers every PUT itself with that status (a full disk: 507).
 */
async function startProxy(target: string, options: { cutPutsAfter?: number; answerPuts?: number } = {}) {
  const upstreamUrl = new URL(target);
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    if (req.method === 'PUT' && options.answerPuts !== undefined) {
      req.resume();
      req.on('end', () => res.writeHead(options.answerPuts!).end());
      return;
    }
    const upstream = http.request(
      {
        host: upstreamUrl.hostname,
        port: upstreamUrl.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    const cut = options.cutPutsAfter;
    if (req.method !== 'PUT' || cut === undefined) {
      req.pipe(upstream);
      return;
    }
    let passed = 0;
    req.on('data', (chunk: Buffer) => {
      if (passed < cut) upstream.write(chunk.subarray(0, cut - passed));
      passed += chunk.length;
      if (passed >= cut) {
        upstream.destroy();
        req.socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise((resolve) => server.close(resolve)));
  defer(() => server.closeAllConnections());
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, seen };
}

/** A loopback server that accepts connections and never answers. */
async function startSilentServer(): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise((resolve) => server.close(resolve)));
  defer(() => sockets.forEach((socket) => socket.destroy()));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
}

/** A logger that keeps every line, to check what reached it. */
function recordingLogger(lines: string[]): Logger {
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push(JSON.stringify({ level, ...obj, msg }));
    };
  const logger: Logger = {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: () => logger,
  };
  return logger;
}

function config(url: string, password = PASSWORD): WebdavBackupConfig {
  return { url: new URL(url).href, username: USER, password };
}

function backup(url: string, extra: Partial<WebdavBackupOptions> & { password?: string } = {}) {
  const lines: string[] = [];
  const { password, ...options } = extra;
  const client = new WebdavBackup({
    config: config(url, password),
    logger: recordingLogger(lines),
    timeoutMs: 10_000,
    ...options,
  });
  return { client, lines };
}

/** Writes a snapshot-like file of `size` random bytes; returns its path and bytes. */
function snapshotFile(dir: string, seq: number, size: number): { file: string; bytes: Buffer } {
  const bytes = randomBytes(size);
  const file = path.join(dir, `snapshot-${seq}.db.gz`);
  writeFileSync(file, bytes);
  return { file, bytes };
}

/** Names ending in .part anywhere under `dir`. */
function partFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.part'));
}

describe('WebDAV backup of metadata snapshots', { skip: !existsSync(RCLONE) && `needs ${RCLONE}` }, () => {
  let server: WebdavServer;
  let local: string;

  before(async () => {
    server = await startRclone(tempDir('hubdrive-webdav-backup'));
    local = tempDir('hubdrive-webdav-local');
  });

  test('keeps the newest five copies, newest first, and leaves everything else in the folder alone', async () => {
    const folder = path.join(server.root, 'snapshots');
    // What a user's folder may hold besides the copies: names near the pattern, and the pattern
    // itself on a folder and one level down.
    const others: Record<string, string> = {
      'notes.txt': 'mine',
      'hubdrive-snapshot-1.db.gz': 'not padded',
      'hubdrive-snapshot-0000000000000001.db.gz.bak': 'a backup of mine',
      'hubdrive-snapshot-0000000000000002.db': 'no .gz',
      'hubdrive-snapshot-0000000000000099.db.gz/inside.txt': 'a folder with the pattern as its name',
      'sub/hubdrive-snapshot-0000000000000004.db.gz': 'a copy one level down',
    };
    for (const [name, text] of Object.entries(others)) {
      mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
      writeFileSync(path.join(folder, name), text);
    }
    const { client, lines } = backup(`${server.url}snapshots/`);
    const sizes = [1000, 0, 3 * MiB + 17, 64 * 1024, 5, 200_000, 12_345];
    const uploaded = new Map<number, Buffer>();
    for (let seq = 1; seq <= 7; seq++) {
      const { file, bytes } = snapshotFile(local, seq, sizes[seq - 1]!);
      await client.upload(seq, file);
      uploaded.set(seq, bytes);
    }

    const copies = await client.list();
    assert.deepEqual(
      copies,
      [7, 6, 5, 4, 3].map((seq) => ({ seq, name: copyName(seq), size: uploaded.get(seq)!.length })),
    );
    for (const copy of copies) {
      assert.deepEqual(readFileSync(path.join(folder, copy.name)), uploaded.get(copy.seq), copy.name);
    }
    for (const [name, text] of Object.entries(others)) {
      assert.equal(readFileSync(path.join(folder, name), 'utf8'), text, name);
    }
    const onDisk = readdirSync(folder).sort();
    assert.deepEqual(
      onDisk,
      [...copies.map((c) => c.name), ...Object.keys(others).map((n) => n.split('/')[0]!)].sort(),
    );
    assert.deepEqual(partFiles(server.root), []);

    const status = client.status();
    assert.equal(status.url, `${server.url}snapshots/`);
    assert.equal(status.lastSeq, 7);
    assert.equal(typeof status.lastUploadAt, 'number');
    assert.equal(status.lastError, null);
    assert.equal(status.lastErrorAt, null);

    // A copy would replace that folder: the upload is refused and the folder kept.
    const { file } = snapshotFile(local, 99, 10);
    await assert.rejects(
      client.upload(99, file),
      /holds a folder named hubdrive-snapshot-0000000000000099\.db\.gz/,
    );
    assert.equal(
      readFileSync(path.join(folder, copyName(99), 'inside.txt'), 'utf8'),
      'a folder with the pattern as its name',
    );
    assert.deepEqual(partFiles(server.root), []);
    assert.ok(!lines.some((line) => line.includes(PASSWORD)));
  });

  test('downloads a copy byte for byte, and a missing copy leaves no file behind', async () => {
    const { client } = backup(`${server.url}downloads/`);
    const { file, bytes } = snapshotFile(local, 40, 4 * MiB + 3);
    await client.upload(40, file);
    const copy = (await client.list())[0]!;
    assert.deepEqual(copy, { seq: 40, name: copyName(40), size: bytes.length });

    const target = path.join(local, 'restored.db.gz');
    await client.download(copy, target);
    assert.deepEqual(readFileSync(target), bytes);

    const gone = { seq: 39, name: copyName(39), size: null };
    const missing = path.join(local, 'missing.db.gz');
    await assert.rejects(client.download(gone, missing), (error: unknown) => {
      assert.ok(error instanceof BackupError);
      assert.equal(error.remoteStatus, 404);
      assert.match(error.message, /404/);
      return true;
    });
    assert.equal(existsSync(missing), false);
    assert.deepEqual(partFiles(local), []);
    assert.match(client.status().lastError ?? '', /404/);
  });

  test('a wrong password gives a BackupError that names the 401 and never the password', async () => {
    const wrong = 'wrong-Secret-8k2';
    const { client, lines } = backup(`${server.url}refused/`, { password: wrong });
    const { file } = snapshotFile(local, 1, 100);
    for (const attempt of [() => client.upload(1, file), () => client.list()]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof BackupError);
        assert.match(error.message, /WEBDAV_URL refused WEBDAV_USERNAME\/WEBDAV_PASSWORD \(401\)/);
        assert.equal(error.remoteStatus, 401);
        assert.ok(!error.message.includes(wrong));
        return true;
      });
    }
    const status = client.status();
    assert.match(status.lastError ?? '', /\(401\)/);
    assert.equal(typeof status.lastErrorAt, 'number');
    assert.equal(status.lastSeq, null);
    const basic = Buffer.from(`${USER}:${wrong}`).toString('base64');
    assert.ok(lines.length > 0);
    for (const line of lines) {
      assert.ok(!line.includes(wrong) && !line.includes(basic), line);
    }
    assert.equal(existsSync(path.join(server.root, 'refused')), false);
  });

  test('a server that is down gives a BackupError; once it is up, an upload succeeds and clears the error', async () => {
    // A loopback port nothing listens on (yet).
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/later/`;
    const { client } = backup(url);
    const { file, bytes } = snapshotFile(local, 3, 2048);
    await assert.rejects(client.upload(3, file), (error: unknown) => {
      assert.ok(error instanceof BackupError);
      assert.match(error.message, /could not reach WEBDAV_URL \(http:\/\/127\.0\.0\.1:\d+\): ECONNREFUSED/);
      assert.equal(error.remoteStatus, null);
      return true;
    });
    await assert.rejects(client.list(), BackupError);
    assert.match(client.status().lastError ?? '', /could not reach WEBDAV_URL/);

    const root = tempDir('hubdrive-webdav-later');
    await startRclone(root, port);
    await client.upload(3, file);
    assert.deepEqual(readFileSync(path.join(root, 'later', copyName(3))), bytes);
    const status = client.status();
    assert.equal(status.lastError, null);
    assert.equal(status.lastErrorAt, null);
    assert.equal(status.lastSeq, 3);
  });

  test('a folder that does not exist yet is created, parents included', async () => {
    const url = new URL('deep/with space/ünï/', server.url).href;
    const { client } = backup(url);
    const { file, bytes } = snapshotFile(local, 9, 777);
    await client.upload(9, file);
    const folder = path.join(server.root, 'deep', 'with space', 'ünï');
    assert.deepEqual(readdirSync(folder), [copyName(9)]);
    assert.deepEqual(readFileSync(path.join(folder, copyName(9))), bytes);
    assert.deepEqual(await client.list(), [{ seq: 9, name: copyName(9), size: 777 }]);
  });

  test('uploads stream to a temporary name with Content-Length, then MOVE into place', async () => {
    const proxy = await startProxy(server.url);
    const { client } = backup(`${proxy.url}streamed/`);
    const { file } = snapshotFile(local, 12, 2 * MiB + 1);
    await client.upload(12, file);
    const puts = proxy.seen.filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 1);
    assert.equal(puts[0]!.headers['content-length'], String(2 * MiB + 1));
    assert.equal(puts[0]!.headers['transfer-encoding'], undefined);
    assert.match(
      puts[0]!.url,
      /^\/streamed\/hubdrive-snapshot-0000000000000012\.db\.gz\.[0-9a-f]{12}\.part$/,
    );
    const move = proxy.seen.find((r) => r.method === 'MOVE');
    assert.equal(move?.url, puts[0]!.url);
    assert.equal(move.headers.destination, `${proxy.url}streamed/${copyName(12)}`);
    assert.equal(move.headers.overwrite, 'T');
  });

  test('an upload cut off midway leaves no final copy, and the next upload clears what it left', async () => {
    const proxy = await startProxy(server.url, { cutPutsAfter: 256 * 1024 });
    const { client } = backup(`${proxy.url}cut/`);
    const { file } = snapshotFile(local, 20, 2 * MiB);
    await assert.rejects(client.upload(20, file), (error: unknown) => {
      assert.ok(error instanceof BackupError);
      assert.match(error.message, /WEBDAV_URL .* while uploading snapshot 20/);
      return true;
    });
    assert.ok(!proxy.seen.some((r) => r.method === 'MOVE'));
    assert.equal(existsSync(path.join(server.root, 'cut', copyName(20))), false);
    assert.match(client.status().lastError ?? '', /uploading snapshot 20/);

    const direct = backup(`${server.url}cut/`).client;
    const next = snapshotFile(local, 21, 1000);
    await direct.upload(21, next.file);
    assert.deepEqual(readdirSync(path.join(server.root, 'cut')), [copyName(21)]);
  });
});

describe('WebDAV backup failures', { skip: !existsSync(RCLONE) && `needs ${RCLONE}` }, () => {
  test('a full server (507) is named, and leaves neither a copy nor a temporary file', async () => {
    const server = await startRclone(tempDir('hubdrive-webdav-full'));
    const proxy = await startProxy(server.url, { answerPuts: 507 });
    const { client } = backup(`${proxy.url}full/`);
    const local = tempDir('hubdrive-webdav-local');
    const { file } = snapshotFile(local, 5, 4096);
    await assert.rejects(client.upload(5, file), (error: unknown) => {
      assert.ok(error instanceof BackupError);
      assert.equal(error.remoteStatus, 507);
      assert.match(error.message, /full \(507 Insufficient Storage\) while uploading snapshot 5/);
      return true;
    });
    assert.deepEqual(readdirSync(path.join(server.root, 'full')), []);
    assert.ok(proxy.seen.some((r) => r.method === 'DELETE' && r.url.endsWith('.part')));
    assert.match(client.status().lastError ?? '', /507/);
  });

  test('a server that stops answering is given up on after timeoutMs without progress', async () => {
    const url = await startSilentServer();
    const { client } = backup(`${url}silent/`, { timeoutMs: 300 });
    await assert.rejects(client.list(), (error: unknown) => {
      assert.ok(error instanceof BackupError);
      assert.match(error.message, /made no progress for 0\.3 s while listing the copies/);
      return true;
    });
  });
});

describe('reading PROPFIND answers', () => {
  const folder = 'https://dav.example/remote.php/dav/files/al%20ice/backups/';
  const response = (href: string, props: string, status = 'HTTP/1.1 200 OK') =>
    `<d:response><d:href>${href}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>${status}</d:status></d:propstat></d:response>`;
  const file = (length: number) => `<d:resourcetype/><d:getcontentlength>${length}</d:getcontentlength>`;

  test('takes absolute, full and relative hrefs in any percent-encoding, and only direct members', () => {
    const xml =
      '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">' +
      response(
        '/remote.php/dav/files/al%20ice/backups/',
        '<d:resourcetype><d:collection/></d:resourcetype>',
      ) +
      response('https://other.host/remote.php/dav/files/al ice/backups/a.db.gz', file(1)) +
      response('/remote.php/dav/files/al%20ice/back%75ps/b%2ddb.gz', file(2)) +
      response('c.db.gz', file(3)) +
      response(
        '/remote.php/dav/files/al%20ice/backups/sub/',
        '<d:resourcetype><d:collection/></d:resourcetype>',
      ) +
      response('/remote.php/dav/files/al%20ice/backups/sub/deeper.db.gz', file(4)) +
      response('/remote.php/dav/files/al%20ice/other/e.db.gz', file(5)) +
      '</d:multistatus>';
    const listing = parseFolderListing(xml, folder);
    assert.deepEqual(listing.self, { name: 'backups', collection: true, size: null });
    assert.deepEqual(listing.members, [
      { name: 'a.db.gz', collection: false, size: 1 },
      { name: 'b-db.gz', collection: false, size: 2 },
      { name: 'c.db.gz', collection: false, size: 3 },
      { name: 'sub', collection: true, size: null },
    ]);
  });

  test('reads any namespace prefix, and ignores properties the server reports as missing', () => {
    const xml =
      '<m:multistatus xmlns:m="DAV:"><m:response><m:href>x.db.gz</m:href>' +
      '<m:propstat><m:prop><m:resourcetype/></m:prop><m:status>HTTP/1.1 200 OK</m:status></m:propstat>' +
      '<m:propstat><m:prop><m:getcontentlength>9</m:getcontentlength></m:prop>' +
      '<m:status>HTTP/1.1 404 Not Found</m:status></m:propstat></m:response></m:multistatus>';
    assert.deepEqual(parseFolderListing(xml, folder).members, [
      { name: 'x.db.gz', collection: false, size: null },
    ]);
  });

  test('refuses a body that is not a multistatus', () => {
    assert.throws(() => parseFolderListing('<html><body>hello</body></html>', folder), /multistatus/);
    assert.throws(() => parseFolderListing('not xml', folder), /not valid/);
  });
});
