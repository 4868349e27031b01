import type { ChunkId } from '../content/chunk-id.js';
import type { ChunkIndex, ChunkLocation, StoredChunk } from '../content/ports.js';
import type { Database } from './database.js';

const IN_BATCH = 500;

/** The chunk index of the content engine, kept in the chunks table. */
export class SqliteChunkIndex implements ChunkIndex {
  constructor(private readonly db: Database) {}

  async find(id: ChunkId): Promise<ChunkLocation | null> {
    const row = await this.db
      .selectFrom('chunks')
      .select(['pack_id', 'offset', 'stored_length', 'plain_length'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row
      ? {
          packId: row.pack_id,
          offset: row.offset,
          storedLength: row.stored_length,
          plainLength: row.plain_length,
        }
      : null;
  }

  async findMany(ids: readonly ChunkId[]): Promise<Map<string, ChunkLocation>> {
    const found = new Map<string, ChunkLocation>();
    for (let i = 0; i < ids.length; i += IN_BATCH) {
      const rows = await this.db
        .selectFrom('chunks')
        .select(['id', 'pack_id', 'offset', 'stored_length', 'plain_length'])
        .where('id', 'in', ids.slice(i, i + IN_BATCH))
        .execute();
      for (const row of rows) {
        found.set(row.id.toString('hex'), {
          packId: row.pack_id,
          offset: row.offset,
          storedLength: row.stored_length,
          plainLength: row.plain_length,
        });
      }
    }
    return found;
  }

  async chunksInPack(packId: number): Promise<StoredChunk[]> {
    const rows = await this.db
      .selectFrom('chunks')
      .select(['id', 'offset', 'stored_length', 'plain_length'])
      .where('pack_id', '=', packId)
      .orderBy('offset')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      packId,
      offset: r.offset,
      storedLength: r.stored_length,
      plainLength: r.plain_length,
    }));
  }
}
