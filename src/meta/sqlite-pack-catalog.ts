import type { PackCatalog, PackRecord } from '../content/ports.js';
import type { Database } from './database.js';
import type { PackRow } from './schema.js';

function toRecord(row: PackRow): PackRecord {
  return { id: row.id, state: row.state, key: row.key, size: row.size, createdAt: row.created_at };
}

/** The content engine's record of packs and where each one is in its life. */
export class SqlitePackCatalog implements PackCatalog {
  constructor(private readonly db: Database) {}

  async create(createdAt: number): Promise<number> {
    const row = await this.db
      .insertInto('packs')
      .values({ state: 'open', size: 0, live_bytes: 0, created_at: createdAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async get(id: number): Promise<PackRecord | null> {
    const row = await this.db.selectFrom('packs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async markSealed(id: number, key: string, size: number): Promise<void> {
    await this.db
      .updateTable('packs')
      .set({ state: 'sealed', key, size, sealed_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  async markStored(id: number): Promise<void> {
    await this.db.updateTable('packs').set({ state: 'stored' }).where('id', '=', id).execute();
  }

  async markCommitted(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('packs')
      .set({ state: 'committed', committed_at: Date.now() })
      .where('id', 'in', ids)
      .execute();
  }

  async remove(id: number): Promise<void> {
    await this.db.deleteFrom('packs').where('id', '=', id).where('state', '=', 'open').execute();
  }

  async forgetLost(id: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('packs')
      .where('id', '=', id)
      .where('state', '!=', 'committed')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('chunks').select('chunks.id').where('chunks.pack_id', '=', id))),
      )
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async unfinished(): Promise<PackRecord[]> {
    const rows = await this.db
      .selectFrom('packs')
      .selectAll()
      .where('state', '!=', 'committed')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }
}
