import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { buildApp, openDrive, readAll } from '../helpers/drive.js';
import { pseudoRandom } from '../helpers/data.js';
import { tempDir } from '../helpers/temp.js';
import { dumpDatabase } from './wipe-support.js';

/** A drive on a local store kept outside DATA_DIR, so that DATA_DIR can be wiped alone. */
function environment() {
  const storeDir = tempDir('restore-store');
  const dataDir = tempDir('restore-data');
  return { storeDir, dataDir, env: { STORE: 'local', LOCAL_STORE_DIR: storeDir, DATA_DIR: dataDir } };
}

/** Opens the drive, writes the files, and stops it cleanly (flush and a last snapshot). */
async function session(env: Record<string, string>, files: Record<string, number>): Promise<void> {
  const { app, admin, close } = await openDrive(env);
  for (const [name, seed] of Object.entries(files)) {
    await app.drive.files.write(admin, name, Readable.from([pseudoRandom(50_000 + seed, seed)]));
  }
  await close();
}

function snapshotFiles(storeDir: string): string[] {
  const dir = path.join(storeDir, 'meta/snapshot');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.db.gz'))
    .sort()
    .map((n) => path.join(dir, n));
}

function flipByte(file: string): void {
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
  writeFileSync(file, bytes);
}

async function readBack(env: Record<string, string>, files: Record<string, number>): Promise<void> {
  const { app, admin, close } = await openDrive(env);
  for (const [name, seed] of Object.entries(files)) {
    const got = await readAll((await app.drive.files.open(admin, name)).stream());
    assert.ok(got.equals(pseudoRandom(50_000 + seed, seed)), `${name} differs`);
  }
  await close();
}

describe('restoring metadata from damaged or foreign objects', () => {
  test('a snapshot with a flipped byte: the older snapshot and the journal after it restore everything', async () => {
    const { storeDir, dataDir, env } = environment();
    await session(env, { '/one.bin': 1, '/two.bin': 2 });
    await session(env, { '/three.bin': 3 });
    const before = dumpDatabase(path.join(dataDir, 'hubdrive.db'));
    const snapshots = snapshotFiles(storeDir);
    assert.equal(snapshots.length, 2, 'the newest two snapshots are kept');
    // And only the segments a restore from the older one needs.
    const older = Number(path.basename(snapshots[0]!).split('.')[0]);
    const segments = readdirSync(path.join(storeDir, 'meta/journal')).map((n) => Number(n.split('.')[0]));
    assert.ok(
      segments.length > 0 && segments.every((to) => to > older),
      `segments ${segments.join(', ')} after ${older}`,
    );
    flipByte(snapshots.at(-1)!);
    rmSync(dataDir, { recursive: true, force: true });

    const { close } = await buildApp(env);
    await close({ flush: false });
    assert.deepEqual(dumpDatabase(path.join(dataDir, 'hubdrive.db')), before);
    await readBack(env, { '/one.bin': 1, '/two.bin': 2, '/three.bin': 3 });
  });

  test('every snapshot damaged and the journal pruned: start-up stops with a clear message and writes nothing', async () => {
    const { storeDir, dataDir, env } = environment();
    await session(env, { '/one.bin': 1 });
    await session(env, { '/two.bin': 2 });
    for (const file of snapshotFiles(storeDir)) flipByte(file);
    rmSync(dataDir, { recursive: true, force: true });
    await assert.rejects(
      buildApp(env),
      /no metadata snapshot could be read \(meta\/snapshot\/.*\); nothing was changed/,
    );
    assert.equal(existsSync(path.join(dataDir, 'hubdrive.db')), false);
  });

  test('a snapshot from a newer hubdrive (a migration this version lacks) stops start-up', async () => {
    const { storeDir, dataDir, env } = environment();
    await session(env, { '/one.bin': 1 });
    for (const file of snapshotFiles(storeDir)) {
      const db = path.join(tempDir('restore-edit'), 'x.db');
      writeFileSync(db, gunzip(file));
      const sqlite = new SQLite(db);
      sqlite.prepare(`insert into kysely_migration (name, timestamp) values ('9999-future', 'now')`).run();
      sqlite.close();
      writeFileSync(file, gzipSync(readFileSync(db)));
    }
    rmSync(dataDir, { recursive: true, force: true });
    await assert.rejects(
      buildApp(env),
      /written by a newer hubdrive \(database migration 9999-future\); upgrade hubdrive/,
    );
    assert.equal(existsSync(path.join(dataDir, 'hubdrive.db')), false);
  });

  test('a journal segment from a newer hubdrive stops start-up', async () => {
    const { storeDir, dataDir, env } = environment();
    await session(env, { '/one.bin': 1 });
    await session(env, { '/two.bin': 2 });
    const dir = path.join(storeDir, 'meta/journal');
    const newest = readdirSync(dir).sort().at(-1)!;
    const text = gunzip(path.join(dir, newest))
      .toString()
      .replace(/"format":1/, '"format":7');
    writeFileSync(path.join(dir, newest), gzipSync(text));
    // Without the newest snapshot, the restore must replay that segment.
    rmSync(snapshotFiles(storeDir).at(-1)!);
    rmSync(dataDir, { recursive: true, force: true });
    await assert.rejects(buildApp(env), /written by a newer hubdrive \(journal format 7\)/);
  });
});

function gunzip(file: string): Buffer {
  return gunzipSync(readFileSync(file));
}
