import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { Schema } from './schema.js';

/** Changes cut from the journal for one segment: entries `from`..`to`, as NDJSON lines. */
export interface JournalCut {
  /** The first seq the segment is meant to follow on from (the last shipped + 1). */
  from: number;
  to: number;
  lines: string[];
}

/** The setting that holds the seq shipped through (restore writes it as what it replayed). */
export const JOURNAL_SHIPPED = 'journal_shipped';
/** Changes in one segment at most: its text is built in memory (about 200 bytes a change). */
const MAX_SEGMENT_ENTRIES = 100_000;

/**
 * The log of row changes the triggers write (see journal-triggers.ts), read in order and cut into
 * segments. A change that points at a pack (a chunk's location) may leave only once that pack and
 * every older one is committed to the store or gone, so that metadata in the store never points at
 * bytes that are not (invariant 1); everything after such a change waits with it, to keep the order.
 */
export class SqliteJournal {
  constructor(private readonly db: Database) {}

  /** Every pack below this id is committed, or gone; `committing` counts as committed. */
  private async frontier(trx: Kysely<Schema>, committing: readonly number[]): Promise<number> {
    let query = trx
      .selectFrom('packs')
      .select((eb) => eb.fn.min<number | null>('id').as('id'))
      .where('state', '!=', 'committed');
    if (committing.length > 0) query = query.where('id', 'not in', committing);
    const oldest = (await query.executeTakeFirst())?.id ?? null;
    if (oldest !== null) return oldest;
    const last = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'packs'`.execute(
      trx,
    );
    return (last.rows[0]?.seq ?? 0) + 1;
  }

  /** The first change that must wait for a pack, or null when every change may leave. */
  private async firstBlocked(trx: Kysely<Schema>, committing: readonly number[]): Promise<number | null> {
    const frontier = await this.frontier(trx, committing);
    const row = await trx
      .selectFrom('meta_journal')
      .select((eb) => eb.fn.min<number | null>('seq').as('seq'))
      .where('pack', '>=', frontier)
      .executeTakeFirst();
    return row?.seq ?? null;
  }

  /**
   * When the oldest change that may leave now was made (ms), or null when none waits. Bookkeeping
   * (lazy changes) counts only with `all`.
   */
  async waitingSince(all: boolean): Promise<number | null> {
    return this.db.transaction().execute(async (trx) => {
      const blocked = await this.firstBlocked(trx, []);
      let query = trx.selectFrom('meta_journal').select((eb) => eb.fn.min<number | null>('at').as('at'));
      if (blocked !== null) query = query.where('seq', '<', blocked);
      if (!all) query = query.where('lazy', '=', 0);
      return (await query.executeTakeFirst())?.at ?? null;
    });
  }

  /**
   * The newest change not yet shipped that asks for a commit (bookkeeping aside), or 0 when none
   * waits: what a durable write, or the deletion of a pack, must see in the store first.
   */
  async newestPending(): Promise<number> {
    const row = await this.db
      .selectFrom('meta_journal')
      .select((eb) => eb.fn.max<number | null>('seq').as('seq'))
      .where('lazy', '=', 0)
      .executeTakeFirst();
    return row?.seq ?? 0;
  }

  /** The newest change logged so far (0 when none ever was). */
  async latestSeq(db: Kysely<Schema> = this.db): Promise<number> {
    const row = await sql<{
      seq: number;
    }>`select seq from sqlite_sequence where name = 'meta_journal'`.execute(db);
    return row.rows[0]?.seq ?? 0;
  }

  /** Shipped through this seq (0 before the first segment). */
  async shipped(db: Kysely<Schema> = this.db): Promise<number> {
    const row = await db
      .selectFrom('replication_state')
      .select('value')
      .where('key', '=', JOURNAL_SHIPPED)
      .executeTakeFirst();
    return row ? Number(row.value) : 0;
  }

  /** When the oldest change waiting to ship was made (bookkeeping aside), blocked or not; null: none. */
  async oldestPending(): Promise<number | null> {
    const row = await this.db
      .selectFrom('meta_journal')
      .select((eb) => eb.fn.min<number | null>('at').as('at'))
      .where('lazy', '=', 0)
      .executeTakeFirst();
    return row?.at ?? null;
  }

  /** The newest change that may leave now: everything logged up to it can. */
  async coverable(): Promise<number> {
    return this.db.transaction().execute(async (trx) => (await this.limits(trx, [])).covers);
  }

  /** The first change that must wait (null: none), and the newest one before it. */
  private async limits(
    trx: Kysely<Schema>,
    committing: readonly number[],
  ): Promise<{ blocked: number | null; covers: number }> {
    const blocked = await this.firstBlocked(trx, committing);
    return { blocked, covers: blocked !== null ? blocked - 1 : await this.latestSeq(trx) };
  }

  /**
   * The changes that may leave with a commit of the `committing` packs, oldest first (null when
   * none), and the newest change the store holds once they are in it. One transaction: no write
   * lands between the look at the packs and the read.
   */
  async cut(
    committing: readonly number[],
    maxEntries = MAX_SEGMENT_ENTRIES,
  ): Promise<{ cut: JournalCut | null; covers: number }> {
    return this.db.transaction().execute(async (trx) => {
      const limits = await this.limits(trx, committing);
      const { blocked } = limits;
      let { covers } = limits;
      let query = trx
        .selectFrom('meta_journal')
        .select(['seq', 'tbl', 'op', 'pk', 'row'])
        .orderBy('seq')
        .limit(maxEntries);
      if (blocked !== null) query = query.where('seq', '<', blocked);
      const rows = await query.execute();
      // A long backlog (a huge trash emptied, a long outage) leaves in several segments.
      if (rows.length === maxEntries) covers = rows.at(-1)!.seq;
      if (rows.length === 0) return { cut: null, covers };
      const shipped = await this.shipped(trx);
      const lines = rows.map(
        (r) =>
          `{"s":${r.seq},"t":${JSON.stringify(r.tbl)},"o":"${r.op}","k":${r.pk ?? 'null'},"r":${r.row ?? 'null'}}`,
      );
      return {
        cut: { from: shipped + 1, to: rows.at(-1)!.seq, lines },
        covers,
      };
    });
  }

  /** Forgets changes through `to`: a commit carried them to the store. */
  async markShipped(to: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('meta_journal').where('seq', '<=', to).execute();
      await setShipped(trx, to);
    });
  }
}

/** Records what was shipped through. */
async function setShipped(db: Kysely<Schema>, seq: number): Promise<void> {
  await db
    .insertInto('replication_state')
    .values({ key: JOURNAL_SHIPPED, value: String(seq) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(seq) }))
    .execute();
}
