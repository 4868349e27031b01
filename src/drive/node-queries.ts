import { sql, type Kysely } from 'kysely';
import { BadRequestError, NotFoundError } from '../errors/domain-error.js';
import type { NodeRow, Schema } from '../meta/schema.js';
import { formatPath, parsePath } from './names.js';
import type { User } from './users.js';

export type Db = Kysely<Schema>;

/** A live node with the names leading to it from the owner's root. */
export interface Located {
  node: NodeRow;
  names: string[];
  path: string;
  /** The ids from the root down to the node itself. */
  ids: number[];
}

export async function child(db: Db, parentId: number, name: string): Promise<NodeRow | undefined> {
  return db
    .selectFrom('nodes')
    .selectAll()
    .where('parent_id', '=', parentId)
    .where('name', '=', name)
    .where('trashed_at', 'is', null)
    .executeTakeFirst();
}

export async function nodeById(db: Db, id: number): Promise<NodeRow | undefined> {
  return db.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Walks a path from the user's root through live folders. Throws NotFoundError. */
export async function locate(db: Db, user: User, rawPath: string): Promise<Located> {
  const names = parsePath(rawPath);
  let node = await nodeById(db, user.rootId);
  if (!node) throw new NotFoundError('the root folder is missing');
  const ids = [node.id];
  for (let i = 0; i < names.length; i++) {
    if (node.kind !== 'dir') throw new NotFoundError(`${formatPath(names.slice(0, i))} is not a folder`);
    const next = await child(db, node.id, names[i]!);
    if (!next) throw new NotFoundError(`${formatPath(names.slice(0, i + 1))} does not exist`);
    node = next;
    ids.push(node.id);
  }
  return { node, names, path: formatPath(names), ids };
}

/** The parent folder of a path, and the (validated) last name in it. */
export async function locateParent(
  db: Db,
  user: User,
  rawPath: string,
): Promise<{ parent: Located; name: string; path: string }> {
  const names = parsePath(rawPath);
  const name = names.pop();
  if (name === undefined) throw new BadRequestError('this needs a path below the root folder', 'ROOT_PATH');
  const parentPath = formatPath(names);
  let parent: Located;
  try {
    parent = await locate(db, user, parentPath);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new NotFoundError(`the folder ${parentPath} does not exist`);
    }
    throw error;
  }
  if (parent.node.kind !== 'dir') throw new NotFoundError(`${parentPath} is not a folder`);
  return { parent, name, path: formatPath([...names, name]) };
}

/**
 * Every node in a subtree, the top first, with each node's depth (the top is 0). With `liveOnly`,
 * descendants in the trash (and everything below them) are left out.
 */
export async function subtree(
  db: Db,
  topId: number,
  options: { liveOnly?: boolean } = {},
): Promise<(NodeRow & { depth: number })[]> {
  const live = options.liveOnly ? sql`and n.trashed_at is null` : sql``;
  const result = await sql<NodeRow & { depth: number }>`
    with recursive t(id, depth) as (
      select id, 0 from nodes where id = ${topId}
      union all
      select n.id, t.depth + 1 from nodes n join t on n.parent_id = t.id ${live}
    )
    select nodes.*, t.depth from t join nodes on nodes.id = t.id order by t.depth`.execute(db);
  return result.rows;
}
