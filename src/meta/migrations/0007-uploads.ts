import { sql, type Kysely } from 'kysely';

/**
 * Resumable (tus) uploads. An upload keeps the chunks it received so far as parts, each a chunk list
 * encoded like a manifest; their entries count in the chunks' reference counts, so gc keeps them.
 * A finished upload stays a while without parts, so that a client that lost the last answer learns
 * that it is done.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('uploads')
    // Random, 128 bits: the last segment of the upload's URL.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('overwrite', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(1)
        .check(sql`overwrite in (0, 1)`),
    )
    .addColumn('length', 'integer', (c) => c.notNull().check(sql`"length" >= 0`))
    // Bytes in recorded parts: a prefix of the file that ends on a chunk boundary.
    .addColumn('offset', 'integer', (c) => c.notNull().check(sql`"offset" >= 0 and "offset" <= "length"`))
    .addColumn('parts', 'integer', (c) => c.notNull().defaultTo(0))
    // The client's Upload-Metadata, as a JSON object (HEAD answers it back).
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'integer', (c) => c.notNull())
    .addColumn('completed_at', 'integer')
    .execute();
  await db.schema.createIndex('uploads_user').on('uploads').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('uploads_expiry').on('uploads').column('expires_at').execute();

  await sql`create table upload_parts (
    upload_id text not null references uploads (id),
    seq integer not null,
    size integer not null,
    chunks blob not null,
    primary key (upload_id, seq)
  ) without rowid`.execute(db);
}
