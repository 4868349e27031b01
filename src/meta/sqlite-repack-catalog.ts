import { sql } from 'kysely';
import type {
  RelocationInput,
  RepackCandidate,
  RepackCatalog,
  RepackCriteria,
  RetiredPack,
  StoredChunk,
} from '../content/ports.js';
import { IntegrityError } from '../errors/domain-error.js';
import type { Database } from './database.js';
import { EXISTS_ONE, hexIds } from './sql-fragments.js';

/** The repacker's queries on the packs and chunks tables. */
export class SqliteRepackCatalog implements RepackCatalog {
  constructor(private readonly db: Database) {}

  private candidateQuery(criteria: RepackCriteria) {
    return this.db
      .selectFrom('packs')
      .where('state', '=', 'committed')
      .where('retired_at', 'is', null)
      .where('key', 'is not', null)
      .where(({ eb, or }) =>
        or([
          eb('size', '<', criteria.smallBelow),
          eb('live_bytes', '<', sql<number>`size * ${criteria.liveRatio}`),
        ]),
      )
      .$if(criteria.belowPackId !== null, (q) => q.where('id', '<', criteria.belowPackId!));
  }

  async candidates(criteria: RepackCriteria): Promise<RepackCandidate[]> {
    const rows = await this.candidateQuery(criteria)
      .select(['id', 'key', 'size', 'live_bytes'])
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, key: r.key!, size: r.size, liveBytes: r.live_bytes }));
  }

  async countCandidates(criteria: RepackCriteria): Promise<number> {
    const row = await this.candidateQuery(criteria)
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async chunksToKeep(packId: number, pinned: ReadonlySet<string>): Promise<StoredChunk[]> {
    const rows = await this.db
      .selectFrom('chunks')
      .select(['id', 'offset', 'stored_length', 'plain_length', 'refcount'])
      .where('pack_id', '=', packId)
      .orderBy('offset')
      .execute();
    return rows
      .filter((r) => r.refcount > 0 || pinned.has(r.id.toString('hex')))
      .map((r) => ({
        id: r.id,
        packId,
        offset: r.offset,
        storedLength: r.stored_length,
        plainLength: r.plain_length,
      }));
  }

  relocate(input: RelocationInput): Promise<number[]> {
    const { packs, moves, targets } = input;
    return this.db.transaction().execute(async (trx) => {
      // Taken while the transaction holds the connection: a write that finds a chunk pins it before
      // its lookup runs, so every lookup that saw the old rows has its pin in this set.
      const pinned = hexIds(input.pinned());
      const moveList = JSON.stringify(
        moves.map((m) => [m.id.toString('hex'), m.fromPack, m.fromOffset, m.toPack, m.toOffset]),
      );
      await sql`
        update chunks set pack_id = m.to_pack, "offset" = m.to_offset
        from (select unhex(value ->> 0) as id, value ->> 1 as from_pack, value ->> 2 as from_offset,
                     value ->> 3 as to_pack, value ->> 4 as to_offset
              from json_each(${moveList})) m
        where chunks.id = m.id and chunks.pack_id = m.from_pack and chunks."offset" = m.from_offset`.execute(
        trx,
      );
      await trx
        .deleteFrom('chunks')
        .where('pack_id', 'in', packs)
        .where('refcount', '=', 0)
        .where(({ eb }) => eb('id', 'not in', pinned))
        .execute();
      const touched = [...new Set([...packs, ...targets])];
      await trx
        .updateTable('packs')
        .set({
          live_bytes: sql<number>`coalesce((select sum(c.stored_length) from chunks c
                                            where c.pack_id = packs.id and c.refcount > 0), 0)`,
        })
        .where('id', 'in', touched)
        .execute();
      const retired = await trx
        .updateTable('packs')
        .set({ retired_at: input.now })
        .where('id', 'in', packs)
        .where('retired_at', 'is', null)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('chunks').select(EXISTS_ONE).whereRef('chunks.pack_id', '=', 'packs.id'))),
        )
        .returning('id')
        .execute();
      return retired.map((r) => r.id);
    });
  }

  expired(before: number, limit: number): Promise<RetiredPack[]> {
    return this.db.transaction().execute(async (trx) => {
      // Nothing should point at a retired pack; if something does, the pack is kept, not deleted.
      await trx
        .updateTable('packs')
        .set({ retired_at: null })
        .where('retired_at', 'is not', null)
        .where(({ exists, selectFrom }) =>
          exists(selectFrom('chunks').select(EXISTS_ONE).whereRef('chunks.pack_id', '=', 'packs.id')),
        )
        .execute();
      // A pack with the same bytes (hence the same key) is still in use: the object is its now.
      await trx
        .deleteFrom('packs')
        .where('retired_at', '<=', before)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('packs as twin')
              .select(EXISTS_ONE)
              .whereRef('twin.key', '=', 'packs.key')
              .whereRef('twin.id', '!=', 'packs.id')
              .where('twin.retired_at', 'is', null),
          ),
        )
        .execute();
      const rows = await trx
        .selectFrom('packs')
        .select(['id', 'key'])
        .where('retired_at', '<=', before)
        .orderBy('retired_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.filter((r) => r.key !== null).map((r) => ({ id: r.id, key: r.key! }));
    });
  }

  async keysInUse(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('packs')
      .select('key')
      .distinct()
      .where('key', 'in', keys)
      .where('retired_at', 'is', null)
      .execute();
    return new Set(rows.map((r) => r.key!));
  }

  async forget(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const pointing = await trx
        .selectFrom('chunks')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .where('pack_id', 'in', ids)
        .executeTakeFirstOrThrow();
      if (Number(pointing.n) > 0) {
        throw new IntegrityError('a deleted pack is still in use', {
          detail: `${pointing.n} chunks point at packs ${ids.join(', ')}`,
        });
      }
      await trx.deleteFrom('packs').where('id', 'in', ids).where('retired_at', 'is not', null).execute();
    });
  }
}
