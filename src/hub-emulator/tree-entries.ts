import type { CommitRecord } from './commit-store.js';
import { foldersOf } from './file-table.js';
import { lastCommits } from './last-commit.js';
import type { Repository } from './repository.js';

/** An entry as the tree and paths-info APIs answer it. */
export type TreeEntryJson = Record<string, unknown> & { path: string };

/**
 * The JSON of the given paths of a commit (files and folders), with `lastCommit` and
 * `securityFileStatus` when expanded. Paths that are neither are left out.
 */
export async function treeEntries(
  repo: Repository,
  commit: CommitRecord,
  paths: readonly string[],
  expand: boolean,
  folders: ReadonlySet<string> = foldersOf(commit.files),
): Promise<TreeEntryJson[]> {
  const refs = paths
    .filter((p) => commit.files.has(p) || folders.has(p))
    .map((path) => ({ path, folder: !commit.files.has(path) }));
  const last = expand ? await lastCommits(repo, commit, refs) : new Map<string, CommitRecord>();
  return refs.map(({ path, folder }) => {
    const entry = commit.files.get(path);
    const json: TreeEntryJson = entry
      ? {
          type: 'file',
          oid: entry.oid,
          size: entry.size,
          path,
          ...(entry.lfs
            ? { lfs: { oid: entry.lfs.oid, size: entry.lfs.size, pointerSize: entry.lfs.pointerSize } }
            : {}),
        }
      : { type: 'directory', oid: repo.treeOids(commit).get(path), size: 0, path };
    const changed = last.get(path);
    if (changed) {
      json.lastCommit = {
        id: changed.id,
        title: changed.summary,
        date: new Date(changed.date).toISOString(),
      };
      if (!folder) json.securityFileStatus = { status: 'unscanned' };
    }
    return json;
  });
}
