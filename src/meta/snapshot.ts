import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { migrationNames } from './migrations/index.js';
import { DamagedObjectError, NewerFormatError } from './segment-format.js';

/** A snapshot made locally, ready to go to the store. */
export interface SnapshotFile {
  /** The newest journal entry it holds. */
  seq: number;
  path: string;
  size: number;
  sha256: string;
  createdAt: number;
}

/** Tables emptied in a snapshot: sign-ins are bearer secrets, the journal is shipped on its own. */
const SCRUBBED = ['sessions', 'meta_journal'];

// Plain JavaScript, so that it runs the same from sources (tsx) and from the build. The copy is made
// in one backup step (a copy interrupted by another connection's write starts over, and could never
// finish on a busy drive); on a thread of its own, so that the drive goes on meanwhile.
const COPY_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.sqlite);
(async () => {
  try {
    const source = new SQLite(workerData.dbFile, { readonly: true, fileMustExist: true });
    try {
      await source.backup(workerData.target, { progress: () => 1 << 30 });
    } finally {
      source.close();
    }
    const db = new SQLite(workerData.target);
    try {
      db.pragma('journal_mode = DELETE');
      for (const table of workerData.scrub) db.exec('delete from ' + table);
      const row = db.prepare("select seq from sqlite_sequence where name = 'meta_journal'").get();
      db.exec('vacuum');
      parentPort.postMessage({ seq: row ? row.seq : 0 });
    } finally {
      db.close();
    }
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
})();
`;

/** Copies the live database to `target` (scrubbed, compacted) on a worker; returns its journal seq. */
function copyOnWorker(dbFile: string, target: string): Promise<number> {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve, reject) => {
    const worker = new Worker(COPY_WORKER, {
      eval: true,
      workerData: { sqlite, dbFile, target, scrub: SCRUBBED },
    });
    worker.once('message', (reply: { seq?: number; error?: string }) => {
      if (reply.error !== undefined) reject(new Error(reply.error));
      else resolve(reply.seq ?? 0);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the snapshot worker exited (${code})`)));
  });
}

/**
 * Makes a consistent copy of the live database with SQLite's online backup API, from a connection
 * of its own (it sees committed transactions only). The copy is scrubbed, compacted and gzip'd into
 * `dir`.
 */
export async function takeSnapshot(options: { dbFile: string; dir: string }): Promise<SnapshotFile> {
  await fs.mkdir(options.dir, { recursive: true });
  const raw = path.join(options.dir, `copy-${randomUUID()}.db`);
  try {
    const seq = await copyOnWorker(options.dbFile, raw);
    const createdAt = Date.now();
    const target = path.join(options.dir, `snapshot-${seq}-${createdAt}.db.gz`);
    const digest = createHash('sha256');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        digest.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(createReadStream(raw), createGzip({ level: 6 }), count, createWriteStream(target));
    return { seq, path: target, size, sha256: digest.digest('hex'), createdAt };
  } finally {
    await fs.rm(raw, { force: true });
  }
}

/**
 * Unpacks a downloaded snapshot into `dbFile` and checks it: gzip's CRC, SQLite's integrity check,
 * and that this version knows every migration it went through. Returns the seq it holds through.
 * Throws DamagedObjectError or NewerFormatError.
 */
export async function unpackSnapshot(name: string, gzFile: string, dbFile: string): Promise<number> {
  await fs.rm(dbFile, { force: true });
  try {
    await pipeline(createReadStream(gzFile), createGunzip(), createWriteStream(dbFile));
  } catch (error) {
    await fs.rm(dbFile, { force: true });
    throw new DamagedObjectError(`${name} is damaged: ${(error as Error).message}`);
  }
  let db: SQLite.Database | null = null;
  try {
    db = new SQLite(dbFile, { fileMustExist: true });
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new DamagedObjectError(`${name} is damaged: ${String(check)}`);
    const known = new Set(migrationNames());
    const ran = db.prepare('select name from kysely_migration').pluck().all() as string[];
    const unknown = ran.filter((m) => !known.has(m));
    if (unknown.length > 0) {
      throw new NewerFormatError(
        `${name} was written by a newer hubdrive (database migration ${unknown.join(', ')}); upgrade hubdrive`,
      );
    }
    const seq = db.prepare(`select seq from sqlite_sequence where name = 'meta_journal'`).pluck().get() as
      number | undefined;
    return seq ?? 0;
  } catch (error) {
    if (error instanceof DamagedObjectError || error instanceof NewerFormatError) throw error;
    throw new DamagedObjectError(`${name} is damaged: ${(error as Error).message}`);
  } finally {
    db?.close();
  }
}
