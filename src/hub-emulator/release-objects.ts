import type { Repository } from './repository.js';

/**
 * Deletes the objects no commit of the history references any more, after a squash. An LFS object
 * that no commit ever referenced (`before` is what the old history referenced) stays while it is
 * younger than `graceMs`: a client may have uploaded it for a commit it has not sent yet. The
 * caller holds the repo's lock.
 */
export async function releaseUnreferenced(
  repo: Repository,
  before: ReadonlySet<string>,
  now: number,
  graceMs: number,
): Promise<void> {
  for (const [sha, stored] of repo.objects.lfsObjects()) {
    const key = `lfs:${sha}`;
    if (repo.storage.references(key)) continue;
    if (before.has(key) || now - stored.pushedAt > graceMs) await repo.objects.deleteLfs(sha);
  }
  for (const oid of repo.objects.blobOids()) {
    if (!repo.storage.references(`blob:${oid}`)) await repo.objects.deleteBlob(oid);
  }
}
