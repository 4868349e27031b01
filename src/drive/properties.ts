import { sql } from 'kysely';
import { PayloadTooLargeError } from '../errors/domain-error.js';
import type { Database } from '../meta/database.js';
import { locate, type Db } from './node-queries.js';
import type { User } from './users.js';

/** A property a client stored on a file or folder (a WebDAV dead property). */
export interface DeadProperty {
  namespace: string;
  name: string;
  /** The property's content as an XML fragment. */
  value: string;
}

export type PropertyChange =
  | { op: 'set'; namespace: string; name: string; value: string }
  | { op: 'remove'; namespace: string; name: string };

/** Bounds what one node may carry, so that properties cannot be used as unmetered storage. */
export const MAX_PROPERTY_BYTES = 64 * 1024;
export const MAX_PROPERTIES_BYTES_PER_NODE = 1024 * 1024;

export class PropertiesTooLargeError extends PayloadTooLargeError {
  constructor(message: string) {
    super(message, 'PROPERTIES_TOO_LARGE');
  }
}

const BATCH = 500;

/**
 * Dead properties: stored with the node, so they follow it when it is moved or trashed, are copied
 * with it, and are deleted when it is purged.
 */
export class PropertyService {
  constructor(private readonly db: Database) {}

  /** The properties of one file or folder. */
  async get(user: User, path: string): Promise<DeadProperty[]> {
    const { node } = await locate(this.db, user, path);
    return this.db
      .selectFrom('dead_properties')
      .select(['namespace', 'name', 'value'])
      .where('node_id', '=', node.id)
      .orderBy('namespace')
      .orderBy('name')
      .execute();
  }

  /** The properties of every live child of a folder, by node id, in one query. */
  async ofChildren(user: User, path: string): Promise<Map<number, DeadProperty[]>> {
    const { node } = await locate(this.db, user, path);
    const rows = await this.db
      .selectFrom('dead_properties')
      .innerJoin('nodes', 'nodes.id', 'dead_properties.node_id')
      .select(['dead_properties.node_id', 'namespace', 'dead_properties.name', 'value'])
      .where('nodes.parent_id', '=', node.id)
      .where('nodes.trashed_at', 'is', null)
      .execute();
    return group(rows);
  }

  /** The properties of the given nodes of this user, by node id (a few queries for many nodes). */
  async ofNodes(user: User, ids: readonly number[]): Promise<Map<number, DeadProperty[]>> {
    const rows: (DeadProperty & { node_id: number })[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      rows.push(
        ...(await this.db
          .selectFrom('dead_properties')
          .innerJoin('nodes', 'nodes.id', 'dead_properties.node_id')
          .select(['dead_properties.node_id', 'namespace', 'dead_properties.name', 'value'])
          .where('dead_properties.node_id', 'in', ids.slice(i, i + BATCH))
          .where('nodes.owner_id', '=', user.id)
          .execute()),
      );
    }
    return group(rows);
  }

  /** Applies the changes in order, all or none (RFC 4918 §9.2: PROPPATCH is atomic). */
  async patch(user: User, path: string, changes: readonly PropertyChange[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const { node } = await locate(trx, user, path);
      for (const change of changes) {
        if (change.op === 'remove') {
          await trx
            .deleteFrom('dead_properties')
            .where('node_id', '=', node.id)
            .where('namespace', '=', change.namespace)
            .where('name', '=', change.name)
            .execute();
          continue;
        }
        if (Buffer.byteLength(change.value) > MAX_PROPERTY_BYTES) {
          throw new PropertiesTooLargeError(`a property value can be at most ${MAX_PROPERTY_BYTES} bytes`);
        }
        await trx
          .insertInto('dead_properties')
          .values({ node_id: node.id, namespace: change.namespace, name: change.name, value: change.value })
          .onConflict((oc) =>
            oc.columns(['node_id', 'namespace', 'name']).doUpdateSet({ value: change.value }),
          )
          .execute();
      }
      const total = await trx
        .selectFrom('dead_properties')
        // Names count too: thousands of empty properties with long names would be storage all the same.
        .select(
          sql<number>`sum(length(cast(namespace as blob)) + length(cast(name as blob)) + length(cast(value as blob)))`.as(
            'bytes',
          ),
        )
        .where('node_id', '=', node.id)
        .executeTakeFirst();
      if (Number(total?.bytes ?? 0) > MAX_PROPERTIES_BYTES_PER_NODE) {
        throw new PropertiesTooLargeError(
          `the properties of one file or folder can hold at most ${MAX_PROPERTIES_BYTES_PER_NODE} bytes`,
        );
      }
    });
  }
}

/** Gives a copied node the properties of its source (inside the copy's transaction). */
export async function copyProperties(db: Db, fromId: number, toId: number): Promise<void> {
  await db
    .insertInto('dead_properties')
    .columns(['node_id', 'namespace', 'name', 'value'])
    .expression((eb) =>
      eb
        .selectFrom('dead_properties')
        .select([eb.val(toId).as('node_id'), 'namespace', 'name', 'value'])
        .where('node_id', '=', fromId),
    )
    .execute();
}

function group(rows: readonly (DeadProperty & { node_id: number })[]): Map<number, DeadProperty[]> {
  const byNode = new Map<number, DeadProperty[]>();
  for (const { node_id, ...property } of rows) {
    let list = byNode.get(node_id);
    if (!list) byNode.set(node_id, (list = []));
    list.push(property);
  }
  return byNode;
}
