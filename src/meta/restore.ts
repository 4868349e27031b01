import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import SQLite from 'better-sqlite3';
import type { BlobStore } from '../blobstore/blob-store.js';
import type { Logger } from '../observability/logger.js';
import { openDatabase } from './database.js';
import { dropJournalTriggers } from './journal-triggers.js';
import { JOURNAL_SHIPPED } from './journal.js';
import { listMeta, segmentKey, snapshotKey } from './meta-layout.js';
import { migrationNames } from './migrations/index.js';
import { JournalReplay, ReplayError } from './replay.js';
import { DamagedObjectError, decodeSegment, NewerFormatError } from './segment-format.js';
import { unpackSnapshot } from './snapshot.js';

/** Snapshot copies kept elsewhere (the WebDAV backup), newest first. */
export interface SnapshotArchive {
  list(): Promise<{ seq: number; name: string; size: number | null }[]>;
  download(copy: { seq: number; name: string; size: number | null }, toFile: string): Promise<void>;
}

export interface RestoreOptions {
  store: BlobStore;
  /** Where the database goes; it must not exist yet. */
  dbFile: string;
  /** A scratch folder. */
  workDir: string;
  logger: Logger;
  archive?: SnapshotArchive | null;
}

export interface RestoreReport {
  /** Where the snapshot came from. */
  source: 'store' | 'webdav';
  snapshotSeq: number;
  segments: number;
  changes: number;
  ms: number;
}

/** Start-up stops with this: the metadata in the store cannot be restored. */
export class RestoreError extends Error {
  override name = 'RestoreError';
}

interface Candidate {
  source: 'store' | 'webdav';
  name: string;
  seq: number;
  fetch(toFile: string): Promise<void>;
}

async function download(store: BlobStore, key: string, toFile: string): Promise<void> {
  await pipeline(await store.get(key), createWriteStream(toFile));
}

/**
 * Rebuilds the metadata database from the store after its disk was wiped: the newest snapshot that
 * reads back whole (or, failing those, the newest copy on the WebDAV backup), then every journal
 * segment after it. Returns null when the store holds no metadata (a new drive).
 */
export async function restoreMetadata(options: RestoreOptions): Promise<RestoreReport | null> {
  const { store, logger } = options;
  const started = Date.now();
  const { snapshots, segments } = await listMeta(store);
  snapshots.sort((a, b) => b - a);
  segments.sort((a, b) => a - b);
  const candidates: Candidate[] = snapshots.map((seq) => ({
    source: 'store',
    name: snapshotKey(seq),
    seq,
    fetch: (file) => download(store, snapshotKey(seq), file),
  }));
  const archive = options.archive;
  if (archive) {
    try {
      for (const copy of await archive.list())
        candidates.push({
          source: 'webdav',
          name: `WEBDAV_URL ${copy.name}`,
          seq: copy.seq,
          fetch: (file) => archive.download(copy, file),
        });
    } catch (error) {
      logger.warn({ err: error }, 'could not list the snapshot copies on WEBDAV_URL');
    }
  }
  if (candidates.length === 0 && segments.length === 0) return null;

  await fs.mkdir(options.workDir, { recursive: true });
  const restoring = path.join(options.workDir, 'restoring.db');
  // Segments never go to the store before a snapshot does: without one, they cannot rebuild it.
  const base = await restoreSnapshot(candidates, restoring, options);
  if (!base) {
    throw new RestoreError(
      candidates.length === 0
        ? `the store holds ${segments.length} metadata journal segments but no snapshot to replay them onto; nothing was changed`
        : `no metadata snapshot could be read (${candidates.map((c) => c.name).join(', ')}); nothing was changed`,
    );
  }
  // Brings the copy's schema up to this version before replaying.
  await (await openDatabase(restoring)).destroy();
  const db = new SQLite(restoring);
  try {
    const replay = new JournalReplay(db, base.seq);
    const later = segments.filter((to) => to > replay.applied);
    if (later.length > 0)
      logger.info({ segments: later.length }, 'restoring metadata: replaying journal segments');
    prepare(db);
    for (const to of later) await replaySegment(store, to, replay);
    const missing = await settlePacks(db, store);
    if (missing.total > 0 && missing.missing === missing.total && base.source === 'webdav') {
      throw new RestoreError(
        `the snapshot copy on WEBDAV_URL names ${missing.total} packs and the store has none of them: it is not this store's metadata; nothing was changed`,
      );
    }
    if (missing.missing > 0) {
      logger.error(
        { packs: missing.missing },
        'restored metadata names packs the store does not hold; run fsck',
      );
    }
    finish(db, replay.applied);
    const report: RestoreReport = {
      source: base.source,
      snapshotSeq: base.seq,
      segments: later.length,
      changes: replay.changes,
      ms: Date.now() - started,
    };
    db.close();
    await fs.rename(restoring, options.dbFile);
    logger.info(report, 'metadata restored from the store');
    return report;
  } catch (error) {
    if (db.open) db.close();
    await removeDatabase(restoring);
    throw error;
  }
}

/** The newest candidate that reads back whole, unpacked into `file`; null when there is none. */
async function restoreSnapshot(
  candidates: Candidate[],
  file: string,
  options: RestoreOptions,
): Promise<{ source: 'store' | 'webdav'; seq: number } | null> {
  const gz = `${file}.gz`;
  for (const candidate of candidates) {
    options.logger.info({ snapshot: candidate.name }, 'restoring metadata: downloading the snapshot');
    try {
      await candidate.fetch(gz);
      const seq = await unpackSnapshot(candidate.name, gz, file);
      return { source: candidate.source, seq };
    } catch (error) {
      if (error instanceof NewerFormatError) throw error;
      // A damaged or unreadable snapshot: the next older one, with more of the journal, will do.
      options.logger.error(
        { err: error, snapshot: candidate.name },
        'metadata snapshot unusable; trying an older one',
      );
      await removeDatabase(file);
    } finally {
      await fs.rm(gz, { force: true });
    }
  }
  return null;
}

async function replaySegment(store: BlobStore, to: number, replay: JournalReplay): Promise<void> {
  const key = segmentKey(to);
  let bytes: Buffer;
  try {
    bytes = await buffer(await store.get(key));
  } catch (error) {
    throw new RestoreError(`could not read ${key} from the store: ${(error as Error).message}`);
  }
  let decoded;
  try {
    decoded = await decodeSegment(key, bytes);
  } catch (error) {
    if (error instanceof DamagedObjectError)
      throw new RestoreError(`${error.message}; the metadata after it cannot be restored`);
    throw error;
  }
  const { header, entries } = decoded;
  if (!migrationNames().includes(header.schema))
    throw new NewerFormatError(
      `${key} was written by a newer hubdrive (database migration ${header.schema}); upgrade hubdrive`,
    );
  if (header.from > replay.applied + 1)
    throw new RestoreError(
      `the metadata journal has a gap: changes ${replay.applied + 1}–${header.from - 1} are missing before ${key}`,
    );
  try {
    replay.apply(entries);
  } catch (error) {
    if (error instanceof ReplayError) throw new RestoreError(`${key}: ${error.message}`);
    throw error;
  }
}

/** Replays without logging the changes again, and without foreign-key checks between steps. */
function prepare(db: SQLite.Database): void {
  db.pragma('foreign_keys = OFF');
  dropJournalTriggers(db);
}

/**
 * Makes the packs table agree with the store. A pack the snapshot saw on its way is committed if the
 * store has it, else forgotten (no chunk points at it: the journal ships such changes only once the
 * pack is in). A pack deleted from the store after its last chunk moved away (a repack, whose
 * bookkeeping had not shipped yet) is forgotten too. One listing of the packs, not a request each.
 */
async function settlePacks(
  db: SQLite.Database,
  store: BlobStore,
): Promise<{ total: number; missing: number }> {
  const inStore = new Set<string>();
  for await (const { key } of store.list('packs/')) inStore.add(key);
  const packs = db.prepare(`select id, key, state from packs`).all() as {
    id: number;
    key: string | null;
    state: string;
  }[];
  const commit = db.prepare(`update packs set state = 'committed', committed_at = ? where id = ?`);
  const forget = db.prepare(
    `delete from packs where id = ? and not exists (select 1 from chunks where pack_id = ?)`,
  );
  let missing = 0;
  db.transaction(() => {
    for (const pack of packs) {
      const present = pack.key !== null && inStore.has(pack.key);
      if (present && pack.state !== 'committed') commit.run(Date.now(), pack.id);
      else if (!present && forget.run(pack.id, pack.id).changes === 0) missing++;
    }
  })();
  const total = db.prepare(`select count(*) from packs`).pluck().get() as number;
  return { total, missing };
}

/** The journal goes on from what was replayed; sign-ins start afresh. */
function finish(db: SQLite.Database, applied: number): void {
  db.transaction(() => {
    db.exec('delete from meta_journal');
    db.exec('delete from sessions');
    const updated = db
      .prepare(`update sqlite_sequence set seq = max(seq, ?) where name = 'meta_journal'`)
      .run(applied);
    if (updated.changes === 0)
      db.prepare(`insert into sqlite_sequence (name, seq) values ('meta_journal', ?)`).run(applied);
    db.prepare(
      `insert into replication_state (key, value) values (?, ?)
      on conflict (key) do update set value = excluded.value`,
    ).run(JOURNAL_SHIPPED, String(applied));
  })();
  db.pragma('foreign_keys = ON');
  const broken = db.pragma('foreign_key_check') as unknown[];
  if (broken.length > 0)
    throw new RestoreError(`the restored metadata has ${broken.length} broken references`);
}

async function removeDatabase(file: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await fs.rm(`${file}${suffix}`, { force: true });
}
