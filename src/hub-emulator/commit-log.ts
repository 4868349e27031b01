import { readableRepo } from './access.js';
import type { CommitRecord } from './commit-store.js';
import type { Handler } from './context.js';
import { badRequest, revisionNotFound } from './hub-error.js';
import { nextLink, pageLimit } from './pagination.js';
import { jsonReply } from './reply.js';

function commitJson(commit: CommitRecord): Record<string, unknown> {
  return {
    id: commit.id,
    title: commit.summary,
    message: commit.description ? `${commit.summary}\n\n${commit.description}` : commit.summary,
    authors: [{ user: commit.author, avatar: '' }],
    date: new Date(commit.date).toISOString(),
  };
}

/**
 * `GET /api/datasets/{repo}/commits/{rev}?limit=&p=`: the history, newest first, in pages of
 * `limit` (default and maximum 1000) numbered from 0 by `p`; `X-Total-Count` is its length.
 */
export const listCommits: Handler = async ({ hub, params, identity, url, origin }) => {
  const [name = '', revision = ''] = params;
  const repo = readableRepo(hub.repos, name, identity);
  const start = await repo.resolve(revision);
  if (!start) throw revisionNotFound(revision);
  const limit = pageLimit(url, 1000);
  const page = Number(url.searchParams.get('p') ?? '0');
  if (!Number.isInteger(page) || page < 0) throw badRequest('p must be a page number from 0');
  const items: Record<string, unknown>[] = [];
  let total = 0;
  for await (const commit of repo.history(start)) {
    if (total >= page * limit && total < (page + 1) * limit) items.push(commitJson(commit));
    total++;
  }
  const more = (page + 1) * limit < total;
  return jsonReply(items, 200, {
    'X-Total-Count': String(total),
    ...(more ? nextLink(origin, url, { p: String(page + 1), limit: String(limit) }) : {}),
  });
};

/** `GET /api/datasets/{repo}/refs`: the branches and their head commits (no tags in the emulator). */
export const listRefs: Handler = async ({ hub, params, identity }) => {
  const repo = readableRepo(hub.repos, params[0] ?? '', identity);
  const branches = repo.branches().map((branch) => ({
    name: branch,
    ref: `refs/heads/${branch}`,
    targetCommit: repo.head(branch)!.id,
  }));
  return jsonReply({ branches, tags: [], converts: [] });
};
