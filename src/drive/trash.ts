import { BadRequestError, NotFoundError } from '../errors/domain-error.js';
import type { Database } from '../meta/database.js';
import type { NodeRow } from '../meta/schema.js';
import { childPath } from './entries.js';
import { fitName } from './names.js';
import { child, nodeById, subtree, type Db } from './node-queries.js';
import type { User } from './users.js';
import { releaseManifest } from './content-refs.js';
import { chargeQuota } from './quota.js';

export interface TrashItem {
  id: number;
  name: string;
  kind: 'dir' | 'file';
  size: number;
  trashedAt: number;
  /** Where it was when it was deleted. */
  originalPath: string;
}

export interface TrashPage {
  items: TrashItem[];
  nextCursor: string | null;
}

/** Takes a node out of its folder's namespace; its subtree goes with it. */
export async function sendToTrash(db: Db, nodeId: number, path: string): Promise<void> {
  await db
    .updateTable('nodes')
    .set({ trashed_at: Date.now(), trashed_from: path })
    .where('id', '=', nodeId)
    .execute();
}

/** The path of a node if it and all its ancestors are live, or null. */
async function livePath(db: Db, user: User, nodeId: number): Promise<string | null> {
  const names: string[] = [];
  let node = await nodeById(db, nodeId);
  while (node) {
    if (node.owner_id !== user.id || node.trashed_at !== null) return null;
    if (node.parent_id === null) return node.id === user.rootId ? `/${names.reverse().join('/')}` : null;
    names.push(node.name);
    node = await nodeById(db, node.parent_id);
  }
  return null;
}

/**
 * "a.txt" → "a (restored).txt", "a (restored 2).txt", … until the name is free; a long stem is
 * shortened so that the name stays within the length limit.
 */
async function freeName(db: Db, parentId: number, name: string): Promise<string> {
  if (!(await child(db, parentId, name))) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 && name.length - dot <= 16 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 1; ; n++) {
    const candidate = fitName(stem, ` (restored${n === 1 ? '' : ` ${n}`})`, ext);
    if (!(await child(db, parentId, candidate))) return candidate;
  }
}

const PAGE = 200;

/** The trash: what was deleted, restore, and deleting for good. */
export class TrashService {
  constructor(private readonly db: Database) {}

  async list(user: User, cursor?: string): Promise<TrashPage> {
    let query = this.db
      .selectFrom('nodes')
      .selectAll()
      .where('owner_id', '=', user.id)
      .where('trashed_at', 'is not', null);
    if (cursor !== undefined) {
      const before = Number(cursor);
      if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(before)) {
        throw new BadRequestError('the page cursor is not valid', 'BAD_CURSOR');
      }
      query = query.where('id', '<', before);
    }
    const rows = await query
      .orderBy('id', 'desc')
      .limit(PAGE + 1)
      .execute();
    const page = rows.slice(0, PAGE);
    return {
      items: page.map((row) => ({
        id: row.id,
        name: row.name,
        kind: row.kind,
        size: row.size,
        trashedAt: row.trashed_at!,
        originalPath: row.trashed_from ?? `/${row.name}`,
      })),
      nextCursor: rows.length > PAGE ? String(page[page.length - 1]!.id) : null,
    };
  }

  private async trashed(db: Db, user: User, id: number): Promise<NodeRow> {
    const node = await nodeById(db, id);
    if (!node || node.owner_id !== user.id || node.trashed_at === null) {
      throw new NotFoundError('no such item in the trash');
    }
    return node;
  }

  /**
   * Puts an item back where it was. When that folder is gone it goes to the root folder, and when
   * the name is taken it gets a "(restored)" suffix. Returns the path it was restored to.
   */
  async restore(user: User, id: number): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      const node = await this.trashed(trx, user, id);
      let parentId = node.parent_id!;
      let parentPath = await livePath(trx, user, parentId);
      if (parentPath === null) {
        parentId = user.rootId;
        parentPath = '/';
      }
      const name = await freeName(trx, parentId, node.name);
      await trx
        .updateTable('nodes')
        .set({ parent_id: parentId, name, trashed_at: null, trashed_from: null })
        .where('id', '=', node.id)
        .execute();
      return childPath(parentPath, name);
    });
  }

  /** Deletes an item in the trash for good, with everything below it. */
  async purge(user: User, id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const node = await this.trashed(trx, user, id);
      await purgeSubtree(trx, node.id);
    });
  }

  /**
   * Deletes everything in the trash for good, one item per transaction so that a large trash does not
   * hold the database. An item already gone (inside another purged item, or restored meanwhile) is
   * skipped. Returns how many items were purged.
   */
  async empty(user: User): Promise<number> {
    const ids = await this.db
      .selectFrom('nodes')
      .select('id')
      .where('owner_id', '=', user.id)
      .where('trashed_at', 'is not', null)
      .orderBy('id')
      .execute();
    let purged = 0;
    for (const { id } of ids) {
      purged += await this.db.transaction().execute(async (trx) => {
        const node = await nodeById(trx, id);
        if (!node || node.owner_id !== user.id || node.trashed_at === null) return 0;
        await purgeSubtree(trx, node.id);
        return 1;
      });
    }
    return purged;
  }
}

const BATCH = 500;

/**
 * Deletes a subtree for good: every version of every file below (their content references and
 * quota are given back), then the nodes, deepest first, a batch at a time.
 */
async function purgeSubtree(db: Db, topId: number): Promise<void> {
  const nodes = (await subtree(db, topId)).reverse();
  const ownerId = nodes[0]!.owner_id;
  let freed = 0;
  for (let i = 0; i < nodes.length; i += BATCH) {
    const ids = nodes.slice(i, i + BATCH).map((n) => n.id);
    const versions = await db
      .deleteFrom('versions')
      .where('node_id', 'in', ids)
      .returning(['manifest_id', 'size'])
      .execute();
    for (const version of versions) {
      await releaseManifest(db, version.manifest_id);
      freed += version.size;
    }
    await db.deleteFrom('nodes').where('id', 'in', ids).execute();
  }
  await chargeQuota(db, ownerId, -freed);
}
