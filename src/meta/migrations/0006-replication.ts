import { sql, type Kysely } from 'kysely';

/**
 * Metadata replication. Triggers (installed at every open, from the tables' current columns) log each
 * row change to meta_journal; the replicator ships the log to the store in segments and deletes what
 * it shipped. replication_state keeps what was shipped through.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table meta_journal (
    seq integer primary key autoincrement,
    at integer not null,
    tbl text not null,
    op text not null check (op in ('u', 'd')),
    pk text,
    row text,
    pack integer,
    lazy integer not null default 0
  )`.execute(db);
  await sql`create index meta_journal_pack on meta_journal (pack) where pack is not null`.execute(db);
  await db.schema
    .createTable('replication_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
