import { sql } from 'kysely';
import type { ManifestRoots, ManifestUse } from '../content/ports.js';
import type { Database } from '../meta/database.js';
import type { Db } from './node-queries.js';

/** Manifests whose count is not their versions', and versions that name a missing manifest. */
async function mismatches(db: Db): Promise<ManifestUse[]> {
  const { rows } = await sql<{ manifest_id: number; versions: number; refcount: number | null }>`
    select m.id as manifest_id, coalesce(v.n, 0) as versions, m.refcount as refcount
    from manifests m
    left join (select manifest_id, count(*) as n from versions group by manifest_id) v on v.manifest_id = m.id
    where m.refcount != coalesce(v.n, 0)
    union all
    select v.manifest_id, count(*), null
    from versions v
    where not exists (select 1 from manifests m where m.id = v.manifest_id)
    group by v.manifest_id
    order by 1`.execute(db);
  return rows.map((r) => ({ manifestId: r.manifest_id, versions: Number(r.versions), refcount: r.refcount }));
}

/**
 * The roots of content: every version of every file, in the tree and in the trash (a trashed file
 * keeps its versions until the trash is emptied). A manifest is in use while a version names it.
 */
export class VersionRoots implements ManifestRoots {
  constructor(private readonly db: Database) {}

  mismatches(): Promise<ManifestUse[]> {
    return mismatches(this.db);
  }

  repair(): Promise<ManifestUse[]> {
    return this.db.transaction().execute(async (trx) => {
      const wrong = (await mismatches(trx)).filter((m) => m.refcount !== null);
      for (const m of wrong) {
        // The chunk counts of a forgotten manifest are left high (the safe side) for the recount
        // that follows to correct.
        if (m.versions === 0) await trx.deleteFrom('manifests').where('id', '=', m.manifestId).execute();
        else
          await trx
            .updateTable('manifests')
            .set({ refcount: m.versions })
            .where('id', '=', m.manifestId)
            .execute();
      }
      return wrong;
    });
  }
}
