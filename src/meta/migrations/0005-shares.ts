import { sql, type Kysely } from 'kysely';

/** Share links: a file or folder anyone with the link may read, with optional password, expiry, limit. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('shares')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // A node purged for good takes its shares with it; one in the trash keeps them, dormant.
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    // SHA-256 of the link token: the database is copied into the store, and a token is a secret.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text')
    .addColumn('expires_at', 'integer')
    .addColumn('max_downloads', 'integer', (c) => c.check(sql`max_downloads is null or max_downloads > 0`))
    .addColumn('downloads', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`downloads >= 0`),
    )
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('shares_user').on('shares').columns(['user_id', 'id']).execute();
  // Purging a subtree deletes nodes in batches: the cascade looks shares up by node.
  await db.schema.createIndex('shares_node').on('shares').column('node_id').execute();
}
