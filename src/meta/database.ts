import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import type { Schema } from './schema.js';

export type Database = Kysely<Schema>;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Opens (creating if needed) the metadata database: SQLite in WAL mode with full fsync on commit,
 * so that an acknowledged change survives a crash, and brings its schema up to date.
 */
export async function openDatabase(file: string): Promise<Database> {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`database migration ${failed} failed: ${(error as Error).message ?? error}`);
  }
  return db;
}
