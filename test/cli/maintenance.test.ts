import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { DataDirLock, DataDirLockedError } from '../../src/app/data-dir-lock.js';
import type { GcReport } from '../../src/content/garbage-collector.js';
import { pseudoRandom } from '../helpers/data.js';
import { buildApp, openDrive, SMALL_CONTENT_ENV, streamOf, TEST_ADMIN_PASSWORD } from '../helpers/drive.js';
import { storeObjects } from '../helpers/repack.js';
import { startServerProcess } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';

const ENV = { ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600', SYS_TOKEN: TEST_ADMIN_PASSWORD };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `hubdrive <args>` in a child process, with stderr not a terminal (a pipe). */
function hubdrive(dataDir: string, args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, ...ENV, DATA_DIR: dataDir, LOG_LEVEL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** A data folder with 6 files written, 5 of them deleted for good. */
async function preparedDataDir(): Promise<string> {
  const dataDir = tempDir('hubdrive-cli');
  const { app, admin, close } = await openDrive({ ...ENV, DATA_DIR: dataDir });
  for (let i = 0; i < 6; i++)
    await app.drive.files.write(admin, `/f${i}.bin`, streamOf(pseudoRandom(900_000, 8100 + i)));
  for (let i = 1; i < 6; i++) await app.drive.tree.remove(admin, `/f${i}.bin`);
  await app.drive.trash.empty(admin);
  await close();
  return dataDir;
}

async function packCount(dataDir: string): Promise<number> {
  const { app, close } = await buildApp({ ...ENV, DATA_DIR: dataDir, GC_INTERVAL: '0' });
  const count = (await storeObjects(app)).length;
  await close();
  return count;
}

describe('hubdrive gc and fsck', () => {
  test('fsck, gc --dry-run, gc: reports on stdout, progress lines on stderr, space reclaimed', async () => {
    const dataDir = await preparedDataDir();
    const packs = await packCount(dataDir);

    const check = await hubdrive(dataDir, ['fsck', '--verify']);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /^fsck: 0 problems\n/);
    assert.match(check.stdout, /verified \d+ chunks/);
    assert.match(check.stderr, /^verifying chunks…$/m, 'plain progress lines when stderr is not a terminal');
    assert.ok(!check.stderr.includes('\r'), 'no redrawn bar in a pipe');

    const dry = await hubdrive(dataDir, ['gc', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^gc \(dry run\): would drop [1-9]\d* unreferenced chunks/);
    assert.equal(await packCount(dataDir), packs, 'a dry run deletes nothing');

    const run = await hubdrive(dataDir, ['gc', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as GcReport;
    assert.equal(report.dryRun, false);
    assert.ok(report.packsDeleted > 0, run.stdout);
    assert.ok(report.storeBytesAfter < report.storeBytesBefore / 3, run.stdout);
    assert.match(run.stderr, /^repacking…$/m);
    assert.ok((await packCount(dataDir)) < packs);

    const after = await hubdrive(dataDir, ['fsck']);
    assert.equal(after.code, 0, after.stdout);
  });

  test('wrong counts: fsck exits 1 and lists them, gc refuses, --repair --dry-run shows, --repair fixes', async () => {
    const dataDir = await preparedDataDir();
    {
      const { app, close } = await buildApp({ ...ENV, DATA_DIR: dataDir, GC_INTERVAL: '0' });
      await app.db.updateTable('chunks').set({ refcount: 7 }).where('refcount', '>', 0).execute();
      await close();
    }
    const check = await hubdrive(dataDir, ['fsck']);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /^fsck: [1-9]\d* problems\n/);
    assert.match(check.stdout, /^ {2}chunk-refcount chunk=[0-9a-f]{64} pack=\d+ expected=1 actual=7$/m);

    const gc = await hubdrive(dataDir, ['gc']);
    assert.equal(gc.code, 1);
    assert.match(gc.stderr, /reference counts are wrong; gc changes nothing until `hubdrive fsck --repair`/);

    const dry = await hubdrive(dataDir, ['fsck', '--repair', '--dry-run']);
    assert.equal(dry.code, 1);
    assert.match(dry.stdout, /problems; \d+ would be corrected/);
    assert.equal((await hubdrive(dataDir, ['fsck'])).code, 1, 'the dry run corrected nothing');

    const repair = await hubdrive(dataDir, ['fsck', '--repair']);
    assert.equal(repair.code, 0, repair.stdout);
    assert.match(repair.stdout, /problems; \d+ corrected/);
    assert.equal((await hubdrive(dataDir, ['fsck'])).code, 0);
    assert.equal((await hubdrive(dataDir, ['gc'])).code, 0);
  });

  test('bad arguments exit 2 with the usage', async () => {
    const bad = await hubdrive(tempDir('hubdrive-cli'), ['gc', '--threshold', '2']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--threshold expects a share from 0 to below 1/);
    assert.match(bad.stderr, /usage: hubdrive gc/);
    const unknown = await hubdrive(tempDir('hubdrive-cli'), ['fsck', '--fix']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /usage: hubdrive fsck/);
  });
});

describe('the DATA_DIR lock', () => {
  test('one holder at a time within a process; released on release', () => {
    const dir = tempDir('hubdrive-lock');
    const lock = DataDirLock.acquire(dir);
    assert.throws(() => DataDirLock.acquire(dir), DataDirLockedError);
    lock.release();
    DataDirLock.acquire(dir).release();
  });

  test('a running server holds it: gc and fsck stop with a message; once the server is killed (-9) they run', async () => {
    const dataDir = await preparedDataDir();
    const server = await startServerProcess({ ...ENV, DATA_DIR: dataDir });
    for (const command of ['gc', 'fsck']) {
      const refused = await hubdrive(dataDir, [command]);
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stderr,
        `hubdrive ${command}: a hubdrive server is running on DATA_DIR ${dataDir} (or another gc or fsck); use POST /api/admin/${command}, or stop it\n`,
      );
    }
    await assert.rejects(buildApp({ ...ENV, DATA_DIR: dataDir }), DataDirLockedError);
    const { signal } = await server.stop('SIGKILL');
    assert.equal(signal, 'SIGKILL');
    const gc = await hubdrive(dataDir, ['gc']);
    assert.equal(gc.code, 0, gc.stderr);
    assert.match(gc.stdout, /^gc: dropped [1-9]\d* unreferenced chunks/);
  });
});
