import { sql, type Kysely } from 'kysely';
import type {
  ChunkRecord,
  DeadChunkCriteria,
  DeadChunks,
  GcCatalog,
  MetadataRepair,
  MetadataView,
  PackInfo,
} from '../content/ports.js';
import type { Database } from './database.js';
import type { Schema } from './schema.js';
import { EXISTS_ONE, hexIds } from './sql-fragments.js';

type Db = Kysely<Schema>;

/** Manifests read at a time (a large file's chunk list is a few MB). */
const MANIFEST_PAGE = 200;
const CHUNK_PAGE = 5000;
const UPDATE_BATCH = 5000;

async function packsOf(db: Db): Promise<PackInfo[]> {
  const rows = await db
    .selectFrom('packs')
    .select(['id', 'state', 'key', 'size', 'live_bytes', 'retired_at'])
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    state: r.state,
    key: r.key,
    size: r.size,
    liveBytes: r.live_bytes,
    retiredAt: r.retired_at,
  }));
}

/** Reads through `db` (a transaction), a page at a time. */
function viewOf(db: Db): MetadataView {
  return {
    async *manifests() {
      let after = 0;
      for (;;) {
        const rows = await db
          .selectFrom('manifests')
          .select(['id', 'chunks'])
          .where('id', '>', after)
          .orderBy('id')
          .limit(MANIFEST_PAGE)
          .execute();
        for (const row of rows) yield { id: row.id, chunks: row.chunks };
        if (rows.length < MANIFEST_PAGE) return;
        after = rows[rows.length - 1]!.id;
      }
    },
    async *heldChunkLists(): AsyncGenerator<Buffer> {
      // Parts of unfinished uploads (completed ones have none left).
      let after: { upload: string; seq: number } | null = null;
      for (;;) {
        const from: { upload: string; seq: number } | null = after;
        const rows: { upload_id: string; seq: number; chunks: Buffer }[] = await db
          .selectFrom('upload_parts')
          .select(['upload_id', 'seq', 'chunks'])
          .$if(from !== null, (q) =>
            q.where(({ eb, or, and }) =>
              or([
                eb('upload_id', '>', from!.upload),
                and([eb('upload_id', '=', from!.upload), eb('seq', '>', from!.seq)]),
              ]),
            ),
          )
          .orderBy('upload_id')
          .orderBy('seq')
          .limit(MANIFEST_PAGE)
          .execute();
        for (const row of rows) yield row.chunks;
        if (rows.length < MANIFEST_PAGE) return;
        const last = rows[rows.length - 1]!;
        after = { upload: last.upload_id, seq: last.seq };
      }
    },
    async *chunks(): AsyncGenerator<ChunkRecord> {
      let after: Buffer | null = null;
      for (;;) {
        const rows = await db
          .selectFrom('chunks')
          .select(['id', 'pack_id', 'offset', 'stored_length', 'plain_length', 'refcount'])
          .$if(after !== null, (q) => q.where('id', '>', after!))
          .orderBy('id')
          .limit(CHUNK_PAGE)
          .execute();
        for (const r of rows) {
          yield {
            id: r.id,
            packId: r.pack_id,
            offset: r.offset,
            storedLength: r.stored_length,
            plainLength: r.plain_length,
            refcount: r.refcount,
          };
        }
        if (rows.length < CHUNK_PAGE) return;
        after = rows[rows.length - 1]!.id;
      }
    },
    packs: () => packsOf(db),
  };
}

/** Packs whose chunks gc may look at: committed, and older than any write in flight. */
function eligiblePacks(db: Db, below: number | null) {
  return db
    .selectFrom('packs')
    .select('id')
    .where('state', '=', 'committed')
    .$if(below !== null, (q) => q.where('id', '<', below!));
}

/** The queries of garbage collection and the consistency check. */
export class SqliteGcCatalog implements GcCatalog {
  constructor(private readonly db: Database) {}

  read<T>(work: (view: MetadataView) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(viewOf(trx)));
  }

  repair<T>(work: (view: MetadataRepair) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) =>
      work({
        ...viewOf(trx),
        async setChunkRefcounts(changes) {
          for (let i = 0; i < changes.length; i += UPDATE_BATCH) {
            const list = JSON.stringify(
              changes.slice(i, i + UPDATE_BATCH).map((c) => [c.id.toString('hex'), c.refcount]),
            );
            await sql`
              update chunks set refcount = c.n
              from (select unhex(value ->> 0) as id, value ->> 1 as n from json_each(${list})) c
              where chunks.id = c.id`.execute(trx);
          }
        },
        async setLiveBytes(changes) {
          for (let i = 0; i < changes.length; i += UPDATE_BATCH) {
            const list = JSON.stringify(
              changes.slice(i, i + UPDATE_BATCH).map((c) => [c.packId, c.liveBytes]),
            );
            await sql`
              update packs set live_bytes = c.n
              from (select value ->> 0 as id, value ->> 1 as n from json_each(${list})) c
              where packs.id = c.id`.execute(trx);
          }
        },
      }),
    );
  }

  packs(): Promise<PackInfo[]> {
    return packsOf(this.db);
  }

  deadChunks(criteria: DeadChunkCriteria): Promise<DeadChunks> {
    return this.db.transaction().execute(async (trx) => {
      const pinned = hexIds(criteria.pinned());
      const below = criteria.belowPackId();
      const dead = await trx
        .selectFrom('chunks')
        .select(({ fn }) => [fn.countAll<number>().as('n'), fn.sum<number>('stored_length').as('bytes')])
        .where('refcount', '=', 0)
        .where('pack_id', 'in', eligiblePacks(trx, below))
        .where(({ eb }) => eb('id', 'not in', pinned))
        .executeTakeFirstOrThrow();
      const packs = await trx
        .selectFrom('packs')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .where('id', 'in', eligiblePacks(trx, below))
        .where('retired_at', 'is', null)
        .where('key', 'is not', null)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('chunks')
                .select(EXISTS_ONE)
                .whereRef('chunks.pack_id', '=', 'packs.id')
                .where(({ or, eb }) => or([eb('chunks.refcount', '>', 0), eb('chunks.id', 'in', pinned)])),
            ),
          ),
        )
        .executeTakeFirstOrThrow();
      return { chunks: Number(dead.n), bytes: Number(dead.bytes ?? 0), packs: Number(packs.n) };
    });
  }

  dropDeadChunks(criteria: DeadChunkCriteria, now: number): Promise<DeadChunks> {
    return this.db.transaction().execute(async (trx) => {
      // Taken while the transaction holds the connection: a write pins a chunk before it looks it
      // up, so every lookup that found one of these rows has its pin in this set.
      const pinned = hexIds(criteria.pinned());
      const below = criteria.belowPackId();
      const dropped = await trx
        .deleteFrom('chunks')
        .where('refcount', '=', 0)
        .where('pack_id', 'in', eligiblePacks(trx, below))
        .where(({ eb }) => eb('id', 'not in', pinned))
        .returning('stored_length')
        .execute();
      const retired = await trx
        .updateTable('packs')
        .set({ retired_at: now })
        .where('id', 'in', eligiblePacks(trx, below))
        .where('retired_at', 'is', null)
        .where('key', 'is not', null)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('chunks').select(EXISTS_ONE).whereRef('chunks.pack_id', '=', 'packs.id'))),
        )
        .returning('id')
        .execute();
      return {
        chunks: dropped.length,
        bytes: dropped.reduce((sum, r) => sum + r.stored_length, 0),
        packs: retired.length,
      };
    });
  }
}
