import { BadRequestError, NotFoundError } from '../errors/domain-error.js';
import { releaseManifest, retainManifest } from './content-refs.js';
import type { Database } from '../meta/database.js';
import type { NodeRow } from '../meta/schema.js';
import { locate, type Db } from './node-queries.js';
import { chargeQuota } from './quota.js';
import type { User } from './users.js';

export interface VersionInfo {
  id: number;
  size: number;
  createdAt: number;
  current: boolean;
}

export interface NewVersion {
  node: NodeRow;
  manifestId: number;
  size: number;
  /** Older versions kept; the ones beyond are released. */
  keep: number;
  now: number;
  /** The file's modification time; `now` unless a copy keeps its source's. */
  modifiedAt?: number;
}

/**
 * Makes a manifest the file's current version. The caller has already taken a reference on the
 * manifest, and charges the quota for its size.
 */
export async function addVersion(db: Db, version: NewVersion): Promise<number> {
  const { node, manifestId, size, keep, now } = version;
  const { id } = await db
    .insertInto('versions')
    .values({ node_id: node.id, manifest_id: manifestId, size, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .updateTable('nodes')
    .set({ version_id: id, size, modified_at: version.modifiedAt ?? now })
    .where('id', '=', node.id)
    .execute();
  const old = await db
    .selectFrom('versions')
    .select(['id', 'manifest_id', 'size'])
    .where('node_id', '=', node.id)
    .orderBy('id', 'desc')
    .offset(keep + 1)
    .limit(1_000_000)
    .execute();
  for (const dropped of old) await dropVersion(db, node.owner_id, dropped);
  return id;
}

/** Deletes one version row and gives back its manifest reference and quota. */
export async function dropVersion(
  db: Db,
  ownerId: number,
  version: { id: number; manifest_id: number; size: number },
): Promise<void> {
  await db.deleteFrom('versions').where('id', '=', version.id).execute();
  await releaseManifest(db, version.manifest_id);
  await chargeQuota(db, ownerId, -version.size);
}

/** A file's history: the current version and the older ones kept on overwrite. */
export class VersionService {
  constructor(
    private readonly db: Database,
    private readonly keep: number,
  ) {}

  async list(user: User, path: string): Promise<VersionInfo[]> {
    const { node } = await locate(this.db, user, path);
    if (node.kind !== 'file') throw new BadRequestError('folders have no versions', 'NOT_A_FILE');
    const rows = await this.db
      .selectFrom('versions')
      .select(['id', 'size', 'created_at'])
      .where('node_id', '=', node.id)
      .orderBy('id', 'desc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      size: r.size,
      createdAt: r.created_at,
      current: r.id === node.version_id,
    }));
  }

  /** Makes an older version current again, as a new version, so no history is lost. */
  async restore(user: User, path: string, versionId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const { node } = await locate(trx, user, path);
      const version = await trx
        .selectFrom('versions')
        .selectAll()
        .where('id', '=', versionId)
        .where('node_id', '=', node.id)
        .executeTakeFirst();
      if (!version) throw new NotFoundError('no such version of this file');
      if (version.id === node.version_id) return;
      await retainManifest(trx, version.manifest_id);
      await addVersion(trx, {
        node,
        manifestId: version.manifest_id,
        size: version.size,
        keep: this.keep,
        now: Date.now(),
      });
      await chargeQuota(trx, user.id, version.size);
    });
  }
}
