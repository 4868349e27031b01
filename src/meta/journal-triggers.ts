import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { Database } from './database.js';

/** Tables that never leave the machine: sign-ins (bearer secrets), and replication's own state. */
const LOCAL_TABLES = new Set(['sessions', 'meta_journal', 'replication_state', 'sqlite_sequence']);
/** Tables whose changes ride the next commit instead of asking for one (a pack's life-cycle). */
const LAZY_TABLES = new Set(['packs']);
/**
 * Columns whose changes alone are bookkeeping too: a share's download count (a popular link must not
 * spend the Hub's commit budget) and when an app password was last used.
 */
const LAZY_COLUMNS: Record<string, readonly string[]> = {
  shares: ['downloads'],
  app_passwords: ['last_used_at'],
};
/** A change to a row that names a pack ships only once that pack is in the store. */
const PACK_COLUMNS: Record<string, string> = { chunks: 'pack_id' };
const TRIGGER_PREFIX = 'hubdrive_journal_';

export interface ReplicatedTable {
  name: string;
  columns: string[];
  primaryKey: string[];
  /** Byte columns outside the key (a manifest's chunk list can be hundreds of KB). */
  blobs: string[];
}

interface ColumnInfo {
  name: string;
  pk: number;
  type: string;
}

/** Every table whose rows are replicated, with its columns as they are now. */
export async function replicatedTables(db: Database): Promise<ReplicatedTable[]> {
  const tables = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%'
      and name not like 'kysely_%' order by name`.execute(db);
  const out: ReplicatedTable[] = [];
  for (const { name } of tables.rows) {
    if (LOCAL_TABLES.has(name)) continue;
    const info = await sql<ColumnInfo>`select name, pk, type from pragma_table_info(${name})`.execute(db);
    const columns = info.rows.map((c) => c.name);
    const primaryKey = primaryKeyOf(info.rows);
    // Without a key a row cannot be found again on replay; every table of ours has one.
    if (primaryKey.length === 0) throw new Error(`table ${name} has no primary key; it cannot be replicated`);
    const blobs = info.rows.filter((c) => c.pk === 0 && /blob/i.test(c.type)).map((c) => c.name);
    out.push({ name, columns, primaryKey, blobs });
  }
  return out;
}

/** The columns of a table's primary key, in key order, from its `pragma_table_info` rows. */
export function primaryKeyOf(info: readonly { name: string; pk: number }[]): string[] {
  return info
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
}

/** An SQL identifier, quoted. */
export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** A JSON object of the given columns of NEW or OLD; blobs as {"$b": hex}, since JSON has no bytes. */
function jsonOf(columns: readonly string[], row: 'NEW' | 'OLD'): string {
  const pairs = columns.map((c) => {
    const ref = `${row}.${quote(c)}`;
    return `${literal(c)}, case when typeof(${ref}) = 'blob' then json_object('$b', hex(${ref})) else ${ref} end`;
  });
  return `json_object(${pairs.join(', ')})`;
}

function triggerSql(table: ReplicatedTable): string[] {
  const t = quote(table.name);
  const name = (op: string) => quote(`${TRIGGER_PREFIX}${table.name}_${op}`);
  const now = `cast(unixepoch('subsec') * 1000 as integer)`;
  const lazy = LAZY_TABLES.has(table.name) ? 1 : 0;
  const lazyColumns = LAZY_COLUMNS[table.name] ?? [];
  const others = table.columns.filter((c) => !lazyColumns.includes(c));
  // An update that changed only lazy columns is lazy.
  const lazyUpdate =
    lazy || lazyColumns.length === 0
      ? String(lazy)
      : `case when ${others.map((c) => `OLD.${quote(c)} is NEW.${quote(c)}`).join(' and ')} then 1 else 0 end`;
  const packColumn = PACK_COLUMNS[table.name];
  const pack = (row: 'NEW' | 'OLD') => (packColumn ? `${row}.${quote(packColumn)}` : 'null');
  const keyChanged = table.primaryKey.map((c) => `OLD.${quote(c)} is not NEW.${quote(c)}`).join(' or ');
  const insert = `insert into meta_journal (at, tbl, op, pk, row, pack, lazy) values`;
  // An update leaves out the byte columns it did not change (a reference count moving must not log
  // the whole chunk list again); the row exists on replay, so the upsert updates only what it has.
  const updatedRow = table.blobs.length
    ? `json_remove(${jsonOf(table.columns, 'NEW')}, ${table.blobs
        .map(
          (c) => `case when OLD.${quote(c)} is NEW.${quote(c)} then ${literal(`$.${c}`)} else '$.__kept' end`,
        )
        .join(', ')})`
    : jsonOf(table.columns, 'NEW');
  return [
    `create trigger ${name('i')} after insert on ${t} begin
       ${insert} (${now}, ${literal(table.name)}, 'u', null, ${jsonOf(table.columns, 'NEW')}, ${pack('NEW')}, ${lazy});
     end`,
    `create trigger ${name('u')} after update on ${t} begin
       ${insert} (${now}, ${literal(table.name)}, 'u',
         case when ${keyChanged} then ${jsonOf(table.primaryKey, 'OLD')} end,
         ${updatedRow}, ${pack('NEW')}, ${lazyUpdate});
     end`,
    `create trigger ${name('d')} after delete on ${t} begin
       ${insert} (${now}, ${literal(table.name)}, 'd', ${jsonOf(table.primaryKey, 'OLD')}, null, null, ${lazy});
     end`,
  ];
}

/**
 * (Re)creates the triggers that log every row change of the replicated tables to meta_journal, from
 * the tables' current columns: run after migrations, so that a new column is logged too.
 */
export async function installJournalTriggers(db: Database): Promise<void> {
  const tables = await replicatedTables(db);
  await db.transaction().execute(async (trx) => {
    const old = await sql<{ name: string }>`
      select name from sqlite_master where type = 'trigger' and name like ${`${TRIGGER_PREFIX}%`}`.execute(
      trx,
    );
    for (const { name } of old.rows) await sql.raw(`drop trigger ${quote(name)}`).execute(trx);
    for (const table of tables)
      for (const statement of triggerSql(table)) await sql.raw(statement).execute(trx);
  });
}

/**
 * Drops the journal triggers on a plain connection: before migrations (which must not trip on
 * triggers made from older columns), and for a restore (which replays changes without logging them).
 */
export function dropJournalTriggers(sqlite: SQLite.Database): void {
  const names = sqlite
    .prepare(`select name from sqlite_master where type = 'trigger' and name like ?`)
    .pluck()
    .all(`${TRIGGER_PREFIX}%`) as string[];
  for (const name of names) sqlite.exec(`drop trigger ${quote(name)}`);
}
