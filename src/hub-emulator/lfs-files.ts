import { z } from 'zod';
import { ownedRepo, writableRepo } from './access.js';
import type { CommitRecord } from './commit-store.js';
import type { Handler } from './context.js';
import { gitBlobOid, lfsPointer } from './git-objects.js';
import { HubError } from './hub-error.js';
import { decodeCursor, encodeCursor, nextLink, pageLimit } from './pagination.js';
import { jsonReply } from './reply.js';
import type { CommitDraft } from './repository.js';
import { readJson } from './request-body.js';

/**
 * `GET /api/datasets/{repo}/lfs-files?limit=&cursor=`: every LFS object the repo stores, committed
 * or not, sorted by SHA-256, 1000 a page at most, `Link` for the next. `fileOid` is the SHA-256 (what
 * deletion takes); `oid` is the git id of its pointer; `filename` a path that referenced it ("" if
 * none did). The repo's owner only.
 */
export const listLfsFiles: Handler = async ({ hub, params, identity, url, origin }) => {
  const repo = ownedRepo(hub.repos, params[0] ?? '', identity);
  const limit = pageLimit(url, 1000);
  const after = decodeCursor(url);
  const objects = repo.objects
    .lfsObjects()
    .filter(([sha]) => after === null || sha > after)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const page = objects.slice(0, limit).map(([sha, stored]) => ({
    fileOid: sha,
    oid: gitBlobOid(lfsPointer(sha, stored.size)),
    size: stored.size,
    pushedAt: new Date(stored.pushedAt).toISOString(),
    filename: repo.storage.pathOf(`lfs:${sha}`) ?? '',
    ref: null,
  }));
  const more = objects.length > page.length;
  return jsonReply(
    page,
    200,
    more ? nextLink(origin, url, { cursor: encodeCursor(page[page.length - 1]!.fileOid) }) : {},
  );
};

const deletionBody = z.object({
  deletions: z.object({
    sha: z
      .array(z.string().regex(/^[0-9a-f]{64}$/, 'each sha must be a lowercase SHA-256 in hex'))
      .min(1)
      .max(1000),
    rewriteHistory: z.boolean().optional(),
  }),
});

/**
 * `POST /api/datasets/{repo}/lfs-files/batch` `{"deletions": {"sha": [...], "rewriteHistory": true}}`:
 * deletes LFS objects. With `rewriteHistory`, every commit that referenced one is rewritten without
 * that file (commit ids change from the first such commit on) and the storage drops at once (the Hub
 * does this asynchronously). Without it, an object the history still references is refused (409).
 * Unknown SHAs are ignored. Answers `{}`.
 */
export const deleteLfsFiles: Handler = async ({ hub, params, identity, req }) => {
  const repo = writableRepo(hub.repos, params[0] ?? '', identity);
  const { deletions } = await readJson(req, deletionBody);
  const doomed = new Set(deletions.sha);
  await repo.lock.run(async () => {
    const referenced = [...doomed].filter((sha) => repo.storage.references(`lfs:${sha}`));
    if (referenced.length > 0 && !deletions.rewriteHistory) {
      throw new HubError(
        409,
        `${referenced.length} of these LFS files are still referenced by the history: pass "rewriteHistory": true`,
      );
    }
    if (referenced.length > 0) {
      for (const branch of repo.branches()) {
        const chain: CommitRecord[] = [];
        for await (const commit of repo.history(repo.head(branch)!)) chain.unshift(commit);
        const drafts: CommitDraft[] = chain.map((c) => ({
          summary: c.summary,
          description: c.description,
          author: c.author,
          date: c.date,
          files: new Map([...c.files].filter(([, entry]) => !entry.lfs || !doomed.has(entry.lfs.oid))),
        }));
        await repo.replaceHistory(branch, drafts);
      }
    }
    for (const sha of doomed) await repo.objects.deleteLfs(sha);
  });
  return jsonReply({});
};
