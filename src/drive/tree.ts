import { BadRequestError, ConflictError } from '../errors/domain-error.js';
import { retainManifest } from './content-refs.js';
import type { Database } from '../meta/database.js';
import type { NodeRow } from '../meta/schema.js';
import { childPath, toEntry, type Entry } from './entries.js';
import {
  afterCursor,
  decodeCursor,
  DEFAULT_PAGE,
  encodeCursor,
  MAX_PAGE,
  sortExpression,
  sortValue,
  type ListOptions,
} from './listing.js';
import { formatPath, parsePath } from './names.js';
import { child, locate, locateParent, subtree, type Db } from './node-queries.js';
import { copyProperties } from './properties.js';
import { searchTree, type SearchOptions, type SearchPage } from './search.js';
import { chargeQuota } from './quota.js';
import { sendToTrash } from './trash.js';
import { addVersion } from './versions.js';
import type { User } from './users.js';

export interface ListPage {
  entries: Entry[];
  nextCursor: string | null;
  /** Live entries in the folder, on every page, so a client can size a list before paging it all. */
  total: number;
}

export interface TransferOptions {
  /** Replace an existing target; the replaced node goes to the trash. */
  overwrite?: boolean;
}

export interface CopyOptions extends TransferOptions {
  /** Copy a folder without its contents (WebDAV's COPY with Depth: 0). */
  shallow?: boolean;
}

/** Folders and the shape of the tree: make, list, look up, move, copy, delete to trash. */
export class TreeService {
  constructor(private readonly db: Database) {}

  async stat(user: User, path: string): Promise<Entry> {
    const found = await locate(this.db, user, path);
    return this.entry(this.db, found.node, found.path);
  }

  private async entry(db: Db, node: NodeRow, path: string): Promise<Entry> {
    return toEntry(node, path, await contentHashOf(db, node));
  }

  async mkdir(user: User, path: string, options: { parents?: boolean } = {}): Promise<Entry> {
    return this.db.transaction().execute(async (trx) => {
      if (options.parents) {
        let current = await locate(trx, user, '/');
        for (const name of parsePath(path)) {
          const existing = await child(trx, current.node.id, name);
          const names = [...current.names, name];
          if (existing && existing.kind !== 'dir') {
            throw new ConflictError(`${formatPath(names)} is a file`, 'NOT_A_FOLDER');
          }
          const node = existing ?? (await insertDir(trx, user, current.node.id, name));
          current = { node, names, path: formatPath(names), ids: [...current.ids, node.id] };
        }
        return this.entry(trx, current.node, current.path);
      }
      const { parent, name, path: full } = await locateParent(trx, user, path);
      if (await child(trx, parent.node.id, name)) throw new ConflictError(`${full} already exists`, 'EXISTS');
      const node = await insertDir(trx, user, parent.node.id, name);
      return this.entry(trx, node, full);
    });
  }

  async list(user: User, path: string, options: ListOptions = {}): Promise<ListPage> {
    const { node, path: dirPath } = await locate(this.db, user, path);
    if (node.kind !== 'dir') throw new BadRequestError(`${dirPath} is not a folder`, 'NOT_A_FOLDER');
    const sort = options.sort ?? 'name';
    const order = options.order ?? 'asc';
    const limit = Math.min(Math.max(1, options.limit ?? DEFAULT_PAGE), MAX_PAGE);
    const key = sortExpression(sort);
    let query = this.db
      .selectFrom('nodes')
      .leftJoin('versions', 'versions.id', 'nodes.version_id')
      .leftJoin('manifests', 'manifests.id', 'versions.manifest_id')
      .selectAll('nodes')
      .select('manifests.content_hash')
      .where('nodes.parent_id', '=', node.id)
      .where('nodes.trashed_at', 'is', null);
    if (options.cursor) {
      const cursor = decodeCursor(options.cursor);
      query = query.where((eb) => afterCursor(eb, cursor, sort, order));
    }
    const rows = await query
      .orderBy('nodes.kind', 'asc')
      .orderBy(key, order)
      .orderBy('nodes.id', order)
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      entries: page.map((row) => toEntry(row, childPath(dirPath, row.name), row.content_hash)),
      nextCursor:
        rows.length > limit && last ? encodeCursor([last.kind, sortValue(sort, last), last.id]) : null,
      total: await countChildren(this.db, node.id),
    };
  }

  /** Live files and folders below a folder whose name contains a text, a page at a time. */
  async search(user: User, options: SearchOptions): Promise<SearchPage> {
    return searchTree(this.db, user, options);
  }

  /** Every live entry of a folder, in one query (for listings that need them all at once). */
  async children(user: User, path: string): Promise<Entry[]> {
    const { node, path: dirPath } = await locate(this.db, user, path);
    if (node.kind !== 'dir') throw new BadRequestError(`${dirPath} is not a folder`, 'NOT_A_FOLDER');
    const rows = await this.withContentHash(this.db)
      .where('nodes.parent_id', '=', node.id)
      .where('nodes.trashed_at', 'is', null)
      .orderBy('nodes.name')
      .execute();
    return rows.map((row) => toEntry(row, childPath(dirPath, row.name), row.content_hash));
  }

  /** A file or folder and every live entry below it, parents before children. */
  async descendants(user: User, path: string): Promise<Entry[]> {
    const top = await locate(this.db, user, path);
    const nodes = await subtree(this.db, top.node.id, { liveOnly: true });
    const hashes = new Map<number, string | null>();
    const ids = nodes.map((n) => n.id);
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.withContentHash(this.db)
        .where('nodes.id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const row of rows) hashes.set(row.id, row.content_hash);
    }
    const paths = new Map<number, string>([[top.node.id, top.path]]);
    return nodes.map((node) => {
      const nodePath = paths.get(node.id) ?? childPath(paths.get(node.parent_id!)!, node.name);
      paths.set(node.id, nodePath);
      return toEntry(node, nodePath, hashes.get(node.id) ?? null);
    });
  }

  private withContentHash(db: Db) {
    return db
      .selectFrom('nodes')
      .leftJoin('versions', 'versions.id', 'nodes.version_id')
      .leftJoin('manifests', 'manifests.id', 'versions.manifest_id')
      .selectAll('nodes')
      .select('manifests.content_hash');
  }

  /** Moves or renames. Moving onto an existing name needs `overwrite`, which trashes the old one. */
  async move(user: User, from: string, to: string, options: TransferOptions = {}): Promise<Entry> {
    return this.db.transaction().execute(async (trx) => {
      const source = await locate(trx, user, from);
      if (source.node.parent_id === null)
        throw new BadRequestError('the root folder cannot be moved', 'ROOT_PATH');
      const { parent, name, path } = await locateParent(trx, user, to);
      if (parent.ids.includes(source.node.id)) {
        throw new ConflictError('a folder cannot be moved into itself', 'INTO_ITSELF');
      }
      await clearTarget(trx, user, parent.node.id, name, path, source.node.id, options);
      await trx
        .updateTable('nodes')
        .set({ parent_id: parent.node.id, name })
        .where('id', '=', source.node.id)
        .execute();
      const moved = { ...source.node, parent_id: parent.node.id, name };
      return this.entry(trx, moved, path);
    });
  }

  /** Copies a file or a whole folder. Content is shared, not duplicated: only metadata is written. */
  async copy(user: User, from: string, to: string, options: CopyOptions = {}): Promise<Entry> {
    return this.db.transaction().execute(async (trx) => {
      const source = await locate(trx, user, from);
      if (source.node.parent_id === null)
        throw new BadRequestError('the root folder cannot be copied', 'ROOT_PATH');
      const { parent, name, path } = await locateParent(trx, user, to);
      if (parent.ids.includes(source.node.id)) {
        throw new ConflictError('a folder cannot be copied into itself', 'INTO_ITSELF');
      }
      if (parent.node.id === source.node.parent_id && name === source.node.name) {
        throw new ConflictError('a file cannot be copied onto itself', 'SAME_PATH');
      }
      await clearTarget(trx, user, parent.node.id, name, path, null, options);
      const nodes = options.shallow
        ? [{ ...source.node, depth: 0 }]
        : await subtree(trx, source.node.id, { liveOnly: true });
      const bytes = nodes.reduce((sum, n) => sum + (n.kind === 'file' ? n.size : 0), 0);
      await chargeQuota(trx, user.id, bytes);
      const now = Date.now();
      const copies = new Map<number, NodeRow>();
      for (const node of nodes) {
        const copy = await trx
          .insertInto('nodes')
          .values({
            owner_id: user.id,
            parent_id: node.depth === 0 ? parent.node.id : copies.get(node.parent_id!)!.id,
            name: node.depth === 0 ? name : node.name,
            kind: node.kind,
            size: node.size,
            created_at: now,
            modified_at: node.modified_at,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        copies.set(node.id, copy);
        await copyProperties(trx, node.id, copy.id);
        if (node.kind === 'file' && node.version_id !== null) {
          // The copy shares the source's current content: one more reference, no bytes.
          const version = await trx
            .selectFrom('versions')
            .select(['manifest_id', 'size'])
            .where('id', '=', node.version_id)
            .executeTakeFirstOrThrow();
          await retainManifest(trx, version.manifest_id);
          const versionId = await addVersion(trx, {
            node: copy,
            manifestId: version.manifest_id,
            size: version.size,
            keep: 0,
            now,
            modifiedAt: node.modified_at,
          });
          copy.version_id = versionId;
        }
      }
      return this.entry(trx, copies.get(source.node.id)!, path);
    });
  }

  /** Moves a file or folder to the trash. */
  async remove(user: User, path: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const found = await locate(trx, user, path);
      if (found.node.parent_id === null)
        throw new BadRequestError('the root folder cannot be deleted', 'ROOT_PATH');
      await sendToTrash(trx, found.node.id, found.path);
    });
  }
}

async function insertDir(db: Db, user: User, parentId: number, name: string): Promise<NodeRow> {
  const now = Date.now();
  return db
    .insertInto('nodes')
    .values({
      owner_id: user.id,
      parent_id: parentId,
      name,
      kind: 'dir',
      size: 0,
      created_at: now,
      modified_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Makes room for a move or copy target: fails, or with `overwrite` trashes what is there. */
async function clearTarget(
  db: Db,
  user: User,
  parentId: number,
  name: string,
  path: string,
  movingId: number | null,
  options: TransferOptions,
): Promise<void> {
  const existing = await child(db, parentId, name);
  if (!existing || existing.id === movingId) return;
  if (!options.overwrite) throw new ConflictError(`${path} already exists`, 'EXISTS');
  await sendToTrash(db, existing.id, path);
}

/** Live children of a folder; the partial index on (parent_id, name) answers it without the rows. */
async function countChildren(db: Db, parentId: number): Promise<number> {
  const row = await db
    .selectFrom('nodes')
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where('parent_id', '=', parentId)
    .where('trashed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function contentHashOf(db: Db, node: NodeRow): Promise<string | null> {
  if (node.version_id === null) return null;
  const row = await db
    .selectFrom('versions')
    .innerJoin('manifests', 'manifests.id', 'versions.manifest_id')
    .select('manifests.content_hash')
    .where('versions.id', '=', node.version_id)
    .executeTakeFirst();
  return row?.content_hash ?? null;
}
