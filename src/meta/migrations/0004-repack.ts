import { sql, type Kysely } from 'kysely';

/**
 * Repacking: a pack whose chunks all moved elsewhere (or died) is retired, and deleted from the store
 * a grace period later, so that reads which looked its chunks up before the move can finish.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('packs').addColumn('retired_at', 'integer').execute();
  await sql`create index packs_retired on packs (retired_at) where retired_at is not null`.execute(db);
}
