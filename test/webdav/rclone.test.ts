import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { AppPassword } from '../../src/drive/app-passwords.js';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { tempDir } from '../helpers/temp.js';
import { call, createUser, q, type Entry } from '../http/support.js';

const RCLONE = '/usr/bin/rclone';
const MiB = 1024 * 1024;
const FILE_COUNT = 1000;
const USER = 'rclone';
const PASSWORD = 'rclone-password-1';

// Names real users have: accents, scripts, emoji, and the characters that break careless URL code.
const FOLDER_NAMES = [
  'Documents',
  'Photos 2024',
  'ünïcödé',
  '日本語',
  'a & b',
  "it's",
  '100% #1',
  'c++ + d',
  'what?',
  'party 🎉',
  'Ελληνικά',
  'two  spaces',
];
const FILE_STEMS = [
  'file',
  'naïve café',
  '日本語のファイル',
  'percent %41 %zz %',
  'hash #tag',
  'question ? mark',
  'amp & amp',
  'plus + plus',
  "quote ' s",
  'spaces   inside',
  'Ωμέγα',
  '🎉 party',
  'Ünïcode Zoë',
];
const EXTENSIONS = ['.txt', '.bin', '.jpg', '', '.tar.gz'];

interface LocalFile {
  /** Relative to the tree's top, with "/" separators. */
  rel: string;
  size: number;
  sha256: string;
}

/** A small deterministic generator, so every run builds the same tree shape. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mostly small files, some medium, a few large: 0 B and 20 MiB exactly among them. */
function sizeOf(i: number, random: () => number): number {
  if (i === 0 || i % 97 === 0) return 0;
  if (i === 1) return 20 * MiB;
  if (i % 125 === 2) return Math.floor(MiB + random() * 19 * MiB);
  if (i % 25 === 3) return Math.floor(64 * 1024 + random() * (MiB - 64 * 1024));
  return Math.floor(random() * 32 * 1024);
}

/** 1,000 files in nested folders under `top`. */
function generateTree(top: string): LocalFile[] {
  const random = prng(20240601);
  const folders: string[] = [''];
  for (const a of FOLDER_NAMES) {
    folders.push(a);
    for (const b of FOLDER_NAMES.slice(0, 3)) {
      folders.push(`${a}/${b}`);
      if (a === FOLDER_NAMES[2]) folders.push(`${a}/${b}/${FOLDER_NAMES[9]}/${FOLDER_NAMES[6]}`);
    }
  }
  const files: LocalFile[] = [];
  for (let i = 0; i < FILE_COUNT; i++) {
    const folder = folders[i % folders.length]!;
    const stem = FILE_STEMS[i % FILE_STEMS.length]!;
    const name = `${stem} ${i}${EXTENSIONS[i % EXTENSIONS.length]!}`.normalize('NFC');
    const rel = folder === '' ? name : `${folder.normalize('NFC')}/${name}`;
    const bytes = randomBytes(sizeOf(i, random));
    mkdirSync(path.join(top, path.dirname(rel)), { recursive: true });
    writeFileSync(path.join(top, rel), bytes);
    files.push({ rel, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return files;
}

interface RcloneResult {
  code: number | null;
  stdout: string;
  bytes: Buffer;
  stderr: string;
}

/** A GET with the path sent exactly as given; resolves with the status. */
function rawGet(url: URL, requestPath: string, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: requestPath, headers: { authorization }, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

interface Stats {
  transfers: number;
  checks: number;
  errors: number;
}

describe(
  'rclone 1.60 against the WebDAV server',
  { skip: !existsSync(RCLONE) && 'rclone is not installed' },
  () => {
    let app: RunningApp;
    let client: ApiClient;
    let top: string;
    let files: LocalFile[];
    let home: string;
    const remotes: Record<string, string> = {};

    /** Runs rclone with the remotes in environment variables only: no config file anywhere. */
    function rclone(...args: string[]): Promise<RcloneResult> {
      const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home };
      env.XDG_CACHE_HOME = path.join(home, 'cache');
      env.XDG_CONFIG_HOME = path.join(home, 'config');
      Object.assign(env, remotes);
      const all = ['--config', '', '--retries', '1', '--low-level-retries', '1', ...args];
      return new Promise((resolve, reject) => {
        const child = spawn(RCLONE, all, { env, stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        let stderr = '';
        child.stdout.on('data', (data: Buffer) => out.push(data));
        child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
          const bytes = Buffer.concat(out);
          resolve({ code, stdout: bytes.toString(), bytes, stderr });
        });
      });
    }

    async function ok(...args: string[]): Promise<RcloneResult> {
      const result = await rclone(...args);
      assert.equal(result.code, 0, `rclone ${args.join(' ')} failed:\n${result.stderr}`);
      return result;
    }

    async function addRemote(name: string, password: string): Promise<void> {
      const obscured = (await ok('obscure', password)).stdout.trim();
      const prefix = `RCLONE_CONFIG_${name.toUpperCase()}_`;
      remotes[`${prefix}TYPE`] = 'webdav';
      remotes[`${prefix}URL`] = `${app.url}/dav/`;
      remotes[`${prefix}VENDOR`] = 'other';
      remotes[`${prefix}USER`] = USER;
      remotes[`${prefix}PASS`] = obscured;
    }

    /** The final statistics of a run with --use-json-log -v. */
    function stats(result: RcloneResult): Stats {
      const lines = result.stderr.split('\n').filter((l) => l.startsWith('{'));
      const parsed = lines.map((l) => JSON.parse(l) as { msg: string; stats?: Stats });
      const last = parsed.filter((l) => l.stats).at(-1);
      assert.ok(last?.stats, `no statistics in the output:\n${result.stderr}`);
      return last.stats;
    }

    function copiedNew(result: RcloneResult): number {
      return result.stderr.split('\n').filter((l) => l.startsWith('{') && l.includes('"msg":"Copied (new)"'))
        .length;
    }

    async function stat(drivePath: string): Promise<{ status: number; entry: Entry | null }> {
      const res = await call(client, 'GET', `/fs/stat${q(drivePath)}`);
      return { status: res.status, entry: res.status === 200 ? (JSON.parse(res.text) as Entry) : null };
    }

    async function appPassword(json: object): Promise<string> {
      const res = await call(client, 'POST', '/app-passwords', { json });
      assert.equal(res.status, 201, res.text);
      return (JSON.parse(res.text) as { appPassword: AppPassword; password: string }).password;
    }

    before(async () => {
      home = tempDir('hubdrive-rclone-home');
      top = path.join(tempDir('hubdrive-rclone-tree'), 'tree');
      files = generateTree(top);
      app = await startApp();
      const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
      await createUser(admin, USER, PASSWORD);
      client = await ApiClient.login(app.url, USER, PASSWORD);
      await addRemote('hd', PASSWORD);
    });

    test('the generated tree has what the issue asks for', () => {
      const sizes = files.map((f) => f.size);
      const total = sizes.reduce((a, b) => a + b, 0);
      assert.equal(files.length, FILE_COUNT);
      assert.ok(sizes.includes(0));
      assert.equal(Math.max(...sizes), 20 * MiB);
      assert.ok(sizes.filter((s) => s < 64 * 1024).length > 900, 'most files are small');
      assert.ok(total < 1024 * MiB);
      for (const ch of ['%', '#', '?', '&', '+', "'", ' ', 'ü', '日', '🎉']) {
        assert.ok(
          files.some((f) => f.rel.includes(ch)),
          `no name with ${ch}`,
        );
      }
      console.log(`tree: ${files.length} files, ${(total / MiB).toFixed(1)} MiB`);
    });

    /** The same `rclone copy` of the tree, first and second time. */
    const copyTree = () =>
      ok('copy', top, 'hd:tree', '--transfers', '4', '--checkers', '8', '--use-json-log', '-v');

    test('rclone copy uploads the whole tree', async () => {
      const result = await copyTree();
      const s = stats(result);
      assert.equal(s.errors, 0);
      assert.equal(s.transfers, FILE_COUNT);
      assert.equal(copiedNew(result), FILE_COUNT);
      // Seen through the JSON API too, byte for byte, for a few of the awkward names.
      for (const file of [files[1]!, files[4]!, files[6]!, files[15]!]) {
        const download = await client.download(`/tree/${file.rel}`);
        assert.equal(download.status, 200, file.rel);
        assert.equal(createHash('sha256').update(download.bytes).digest('hex'), file.sha256, file.rel);
      }
    });

    test('rclone check --download finds 0 differences', async () => {
      const result = await ok('check', top, 'hd:tree', '--download', '--checkers', '8');
      assert.match(result.stderr, /\b0 differences found/);
      assert.match(result.stderr, new RegExp(`\\b${FILE_COUNT} matching files`));
    });

    test('mkdir, moveto and delete round-trip', async () => {
      const folder = "new folder #1 ü? & 'x' + 100%";
      await ok('mkdir', `hd:tree/${folder}`);
      assert.equal((await stat(`/tree/${folder}`)).entry?.kind, 'dir');
      const listed = (await ok('lsf', 'hd:tree', '--dirs-only')).stdout.split('\n');
      assert.ok(listed.includes(`${folder}/`), `mkdir'd folder not listed: ${listed.join(', ')}`);

      const big = files[1]!;
      const moved = `${folder}/moved %20 #x ?y.bin`;
      await ok('moveto', `hd:tree/${big.rel}`, `hd:tree/${moved}`);
      assert.equal((await stat(`/tree/${big.rel}`)).status, 404);
      assert.equal((await stat(`/tree/${moved}`)).entry?.size, big.size);
      const cat = (await ok('cat', `hd:tree/${moved}`)).bytes;
      assert.equal(createHash('sha256').update(cat).digest('hex'), big.sha256);
      await ok('moveto', `hd:tree/${moved}`, `hd:tree/${big.rel}`);
      assert.equal((await stat(`/tree/${big.rel}`)).entry?.size, big.size);
      assert.equal((await stat(`/tree/${moved}`)).status, 404);

      const extra = path.join(home, 'extra.txt');
      writeFileSync(extra, 'to be deleted');
      await ok('copyto', extra, `hd:tree/${folder}/extra #?.txt`);
      assert.equal((await stat(`/tree/${folder}/extra #?.txt`)).entry?.size, 13);
      await ok('delete', `hd:tree/${folder}/extra #?.txt`);
      assert.equal((await stat(`/tree/${folder}/extra #?.txt`)).status, 404);
      await ok('rmdir', `hd:tree/${folder}`);
      assert.equal((await stat(`/tree/${folder}`)).status, 404);
    });

    test('a second rclone copy transfers nothing new', async () => {
      const result = await copyTree();
      const s = stats(result);
      assert.equal(s.errors, 0);
      assert.equal(s.transfers, 0);
      assert.equal(s.checks, FILE_COUNT);
      assert.equal(copiedNew(result), 0);
    });

    test('a read-only app password reads, and cannot change anything', async () => {
      await addRemote('hdro', await appPassword({ label: 'read-only', readOnly: true }));
      const listed = (await ok('lsf', '-R', '--files-only', 'hdro:tree')).stdout.split('\n').filter(Boolean);
      assert.equal(listed.length, FILE_COUNT);
      const sample = files[4]!;
      const note = path.join(home, 'note.txt');
      writeFileSync(note, 'not allowed');

      const attempts: [string, string[], () => Promise<void>][] = [
        [
          'copyto',
          ['copyto', note, 'hdro:tree/ro.txt'],
          async () => assert.equal((await stat('/tree/ro.txt')).status, 404),
        ],
        [
          'mkdir',
          ['mkdir', 'hdro:tree/ro-dir'],
          async () => assert.equal((await stat('/tree/ro-dir')).status, 404),
        ],
        [
          'deletefile',
          ['deletefile', `hdro:tree/${sample.rel}`],
          async () => assert.equal((await stat(`/tree/${sample.rel}`)).status, 200),
        ],
        [
          'moveto',
          ['moveto', `hdro:tree/${sample.rel}`, 'hdro:tree/moved.bin'],
          async () => assert.equal((await stat(`/tree/${sample.rel}`)).status, 200),
        ],
        [
          'copyto over a file',
          ['copyto', note, `hdro:tree/${sample.rel}`],
          async () => assert.equal((await stat(`/tree/${sample.rel}`)).entry?.size, sample.size),
        ],
      ];
      for (const [what, args, unchanged] of attempts) {
        const result = await rclone(...args);
        assert.notEqual(result.code, 0, `${what} through a read-only app password succeeded`);
        assert.match(result.stderr, /403|[Ff]orbidden/, `${what}: ${result.stderr}`);
        await unchanged();
      }
    });

    test('an app password rooted at a folder sees only that folder', async () => {
      const inside = FOLDER_NAMES[2]!;
      const secret = await appPassword({ label: 'rooted', root: `/tree/${inside}` });
      await addRemote('hdroot', secret);
      const expected = files
        .filter((f) => f.rel.startsWith(`${inside}/`))
        .map((f) => f.rel.slice(inside.length + 1))
        .sort();
      const listed = (await ok('lsf', '-R', '--files-only', 'hdroot:')).stdout
        .split('\n')
        .filter(Boolean)
        .sort();
      assert.deepEqual(listed, expected);

      const note = path.join(home, 'rooted.txt');
      writeFileSync(note, 'written through the rooted mount');
      await ok('copyto', note, 'hdroot:rooted #1.txt');
      assert.equal((await stat(`/tree/${inside}/rooted #1.txt`)).entry?.size, readFileSync(note).length);
      assert.equal((await stat('/rooted #1.txt')).status, 404);

      // Nothing outside is reachable, not even with an escaped "..".
      const outside = files.find((f) => !f.rel.includes('/'))!;
      const missing = await rclone('cat', `hdroot:${outside.rel}`);
      assert.notEqual(missing.code, 0);
      const auth = `Basic ${Buffer.from(`${USER}:${secret}`).toString('base64')}`;
      for (const escape of ['..', '%2e%2e', '%2E%2E', '..%2F..']) {
        // node:http sends the path as written; fetch would resolve the ".." itself.
        const status = await rawGet(
          new URL(app.url),
          `${new URL(app.url).pathname}/dav/${escape}/${encodeURIComponent(outside.rel)}`,
          auth,
        );
        assert.ok([400, 403, 404].includes(status), `${escape}: ${status}`);
      }
    });
  },
);
