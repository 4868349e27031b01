import type { CommitRecord } from './commit-store.js';
import type { Repository } from './repository.js';

export interface PathRef {
  path: string;
  folder: boolean;
}

/** A path's git id in a commit: its blob id, or its tree id for a folder. */
function oidIn(repo: Repository, commit: CommitRecord, ref: PathRef): string | undefined {
  return ref.folder ? repo.treeOids(commit).get(ref.path) : commit.files.get(ref.path)?.oid;
}

/** For each path, the newest commit from `start` back that changed it (what `expand` shows). */
export async function lastCommits(
  repo: Repository,
  start: CommitRecord,
  refs: readonly PathRef[],
): Promise<Map<string, CommitRecord>> {
  const found = new Map<string, CommitRecord>();
  let pending = [...refs];
  let commit = start;
  while (pending.length > 0) {
    const parent = commit.parent ? await repo.readCommit(commit.parent) : undefined;
    const still: PathRef[] = [];
    for (const ref of pending) {
      const changed = !parent || oidIn(repo, parent, ref) !== oidIn(repo, commit, ref);
      if (changed) found.set(ref.path, commit);
      else still.push(ref);
    }
    pending = still;
    if (!parent) break;
    commit = parent;
  }
  return found;
}
