import { sql, type Kysely } from 'kysely';

/** Per-user passwords for WebDAV clients, each optionally read-only and confined to a folder. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('app_passwords')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('label', 'text', (c) => c.notNull())
    // SHA-256 of the secret: the secrets are random and long, so a fast hash cannot be brute-forced.
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('read_only', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`read_only in (0, 1)`),
    )
    .addColumn('root', 'text', (c) => c.notNull().defaultTo('/'))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('last_used_at', 'integer')
    .execute();
  await db.schema.createIndex('app_passwords_user').on('app_passwords').column('user_id').execute();
}
