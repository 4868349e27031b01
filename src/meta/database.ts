import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { dropJournalTriggers, installJournalTriggers } from './journal-triggers.js';
import { migrationProvider } from './migrations/index.js';
import type { Schema } from './schema.js';
import { withStatementCache } from './statement-cache.js';

export type Database = Kysely<Schema>;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Opens (creating if needed) the metadata database and brings its schema up to date.
 *
 * WAL with synchronous=NORMAL: a committed transaction survives a crash of the process (the promise
 * made for an acknowledged write); after a power cut the last transactions may be lost, but never a
 * pack they point at, because staging packs are fsync'd before the metadata that refers to them.
 */
export async function openDatabase(file: string): Promise<Database> {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Made anew from the migrated columns below.
  dropJournalTriggers(sqlite);
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`database migration ${failed} failed: ${(error as Error).message ?? error}`);
  }
  // Every writer of the database logs its changes for the store: no way to open it without.
  await installJournalTriggers(db);
  return db;
}
