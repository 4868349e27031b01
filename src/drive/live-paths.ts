import { sql } from 'kysely';
import type { Db } from './node-queries.js';

interface Step {
  start: number;
  parent_id: number | null;
  name: string;
  trashed: number;
}

/**
 * The drive path of each node (from its owner's root), or null when the node or a folder above it is
 * in the trash (only the top of a trashed subtree is marked) or it no longer exists. One query, which
 * walks up from every node at once.
 */
export async function livePaths(db: Db, nodeIds: readonly number[]): Promise<Map<number, string | null>> {
  const paths = new Map<number, string | null>();
  for (const id of nodeIds) paths.set(id, null);
  if (nodeIds.length === 0) return paths;
  const ids = sql.join(nodeIds.map((id) => sql`${id}`));
  const result = await sql<Step>`
    with recursive up(start, id, parent_id, name, trashed, depth) as (
      select id, id, parent_id, name, trashed_at is not null, 0 from nodes where id in (${ids})
      union all
      select up.start, n.id, n.parent_id, n.name, n.trashed_at is not null, up.depth + 1
        from nodes n join up on n.id = up.parent_id
    )
    select start, parent_id, name, trashed from up order by start, depth`.execute(db);
  const walks = new Map<number, Step[]>();
  for (const step of result.rows) {
    const walk = walks.get(step.start) ?? [];
    walk.push(step);
    walks.set(step.start, walk);
  }
  for (const [start, walk] of walks) {
    const top = walk[walk.length - 1]!;
    // A walk that stops short of a root (parent_id still set) lost a folder on the way: not live.
    if (top.parent_id !== null || walk.some((step) => step.trashed !== 0)) continue;
    const names = walk.slice(0, -1).map((step) => step.name);
    paths.set(start, `/${names.reverse().join('/')}`);
  }
  return paths;
}
