import { sql, type Kysely } from 'kysely';

/** WebDAV dead properties: any namespace, any name, the value as an XML fragment. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // They belong to a node: they move and go to the trash with it, and go when it is purged.
  await sql`create table dead_properties (
    node_id integer not null references nodes (id) on delete cascade,
    namespace text not null,
    name text not null,
    value text not null,
    primary key (node_id, namespace, name)
  ) without rowid`.execute(db);
}
