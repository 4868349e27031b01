import type SQLite from 'better-sqlite3';
import { NewerFormatError, type SegmentEntry } from './segment-format.js';
import { primaryKeyOf, quote } from './journal-triggers.js';

interface TableShape {
  columns: Set<string>;
  primaryKey: string[];
}

/** JSON carries bytes as {"$b": hex}; everything else as it is. */
function value(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && '$b' in v)
    return Buffer.from(String((v as { $b: unknown }).$b), 'hex');
  return v;
}

/** The journal does not fit the database it is replayed onto. */
export class ReplayError extends Error {
  override name = 'ReplayError';
}

/**
 * Applies journal entries to a database (a restored snapshot), in order, each once: entries at or
 * below the last one applied are skipped, so overlapping segments are harmless.
 */
export class JournalReplay {
  private readonly shapes = new Map<string, TableShape>();
  private readonly statements = new Map<string, SQLite.Statement>();
  applied: number;
  changes = 0;

  constructor(
    private readonly db: SQLite.Database,
    from: number,
  ) {
    this.applied = from;
  }

  private shape(table: string): TableShape {
    let shape = this.shapes.get(table);
    if (shape) return shape;
    const info = this.db.prepare(`select name, pk from pragma_table_info(?)`).all(table) as {
      name: string;
      pk: number;
    }[];
    if (info.length === 0)
      throw new NewerFormatError(`the journal changes a table this version does not know: ${table}`);
    shape = {
      columns: new Set(info.map((c) => c.name)),
      primaryKey: primaryKeyOf(info),
    };
    this.shapes.set(table, shape);
    return shape;
  }

  private statement(key: string, text: () => string): SQLite.Statement {
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.db.prepare(text());
      this.statements.set(key, statement);
    }
    return statement;
  }

  private remove(table: string, key: Record<string, unknown>): void {
    const { primaryKey } = this.shape(table);
    const where = primaryKey.map((c) => `${quote(c)} = ?`).join(' and ');
    this.statement(`d:${table}`, () => `delete from ${quote(table)} where ${where}`).run(
      ...primaryKey.map((c) => value(key[c])),
    );
  }

  private upsert(table: string, row: Record<string, unknown>): void {
    const shape = this.shape(table);
    const columns = Object.keys(row);
    for (const c of columns) {
      if (!shape.columns.has(c))
        throw new NewerFormatError(`the journal has a column this version does not know: ${table}.${c}`);
    }
    const others = columns.filter((c) => !shape.primaryKey.includes(c));
    // An update that left out unchanged byte columns: the row is there already.
    if (columns.length < shape.columns.size) {
      const where = shape.primaryKey.map((c) => `${quote(c)} = ?`).join(' and ');
      const update = this.statement(
        `p:${table}:${columns.join(',')}`,
        () => `update ${quote(table)} set ${others.map((c) => `${quote(c)} = ?`).join(', ')} where ${where}`,
      );
      const result = update.run(
        ...others.map((c) => value(row[c])),
        ...shape.primaryKey.map((c) => value(row[c])),
      );
      if (result.changes !== 1) throw new ReplayError(`the journal changes a ${table} row that is not there`);
      return;
    }
    const statement = this.statement(`u:${table}:${columns.join(',')}`, () => {
      const conflict = others.length
        ? `do update set ${others.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`
        : 'do nothing';
      return `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values (${columns.map(() => '?').join(', ')})
        on conflict (${shape.primaryKey.map(quote).join(', ')}) ${conflict}`;
    });
    statement.run(...columns.map((c) => value(row[c])));
  }

  /** Applies the entries after the last one applied, in one transaction. */
  apply(entries: readonly SegmentEntry[]): void {
    this.db.transaction(() => {
      for (const entry of entries) {
        if (entry.s <= this.applied) continue;
        if (entry.o === 'd') {
          this.remove(entry.t, entry.k ?? {});
        } else {
          // The key changed: the row under the old key goes first.
          if (entry.k) this.remove(entry.t, entry.k);
          this.upsert(entry.t, entry.r ?? {});
        }
        this.applied = entry.s;
        this.changes++;
      }
    })();
  }
}
