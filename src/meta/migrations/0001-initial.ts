import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'user')`))
    .addColumn('quota_bytes', 'integer')
    .addColumn('used_bytes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('root_id', 'integer')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();
  await sql`create unique index users_username on users (username collate nocase)`.execute(db);

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'integer', (c) => c.notNull())
    .addColumn('last_seen_at', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('nodes')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('parent_id', 'integer', (c) => c.references('nodes.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('dir', 'file')`))
    .addColumn('version_id', 'integer')
    .addColumn('size', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('modified_at', 'integer', (c) => c.notNull())
    .addColumn('trashed_at', 'integer')
    .addColumn('trashed_from', 'text')
    .execute();
  // Names are unique among the live children of a folder; trashed nodes step out of the namespace.
  await sql`create unique index nodes_parent_name on nodes (parent_id, name) where trashed_at is null`.execute(
    db,
  );
  await sql`create index nodes_list_name on nodes (parent_id, kind, name collate nocase, id)`.execute(db);
  await sql`create index nodes_list_size on nodes (parent_id, kind, size, id)`.execute(db);
  await sql`create index nodes_list_modified on nodes (parent_id, kind, modified_at, id)`.execute(db);
  await sql`create index nodes_trash on nodes (owner_id, trashed_at) where trashed_at is not null`.execute(
    db,
  );

  await db.schema
    .createTable('manifests')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('content_hash', 'text', (c) => c.notNull().unique())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('chunk_count', 'integer', (c) => c.notNull())
    .addColumn('chunks', 'blob', (c) => c.notNull())
    .addColumn('refcount', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('versions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id'))
    .addColumn('manifest_id', 'integer', (c) => c.notNull().references('manifests.id'))
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('versions_node').on('versions').columns(['node_id', 'id']).execute();

  await db.schema
    .createTable('packs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('key', 'text')
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('open', 'sealed', 'stored', 'committed')`),
    )
    .addColumn('size', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('live_bytes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('sealed_at', 'integer')
    .addColumn('committed_at', 'integer')
    .execute();
  await db.schema.createIndex('packs_key').on('packs').column('key').execute();
  await sql`create index packs_unfinished on packs (state) where state != 'committed'`.execute(db);

  await sql`create table chunks (
    id blob primary key,
    pack_id integer not null references packs (id),
    offset integer not null,
    stored_length integer not null,
    plain_length integer not null,
    refcount integer not null
  ) without rowid`.execute(db);
  await db.schema.createIndex('chunks_pack').on('chunks').columns(['pack_id', 'offset']).execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
