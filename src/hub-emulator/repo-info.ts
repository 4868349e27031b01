import { readableRepo } from './access.js';
import type { Handler } from './context.js';
import { revisionNotFound } from './hub-error.js';
import { jsonReply } from './reply.js';

/**
 * `GET /api/datasets/{repo}` and `…/revision/{rev}`: the dataset's info, including `sha` (the
 * revision's commit), `private` and `usedStorage` (bytes of everything the history references).
 * With `expand` parameters, only those fields (and `_id`, `id`), as the Hub answers.
 */
export const repoInfo: Handler = async ({ hub, params, identity, url }) => {
  const [name = '', revision = 'HEAD'] = params;
  const repo = readableRepo(hub.repos, name, identity);
  const commit = await repo.resolve(revision);
  if (!commit) throw revisionNotFound(revision);
  const [namespace] = repo.name.split('/');
  const fields: Record<string, unknown> = {
    author: namespace,
    sha: commit.id,
    lastModified: new Date(commit.date).toISOString(),
    createdAt: new Date(repo.meta.createdAt).toISOString(),
    private: repo.meta.private,
    gated: false,
    disabled: false,
    downloads: 0,
    downloadsAllTime: 0,
    likes: 0,
    tags: [],
    usedStorage: repo.storage.bytes,
    siblings: [...commit.files.keys()].map((rfilename) => ({ rfilename })),
  };
  const expand = [...url.searchParams.getAll('expand'), ...url.searchParams.getAll('expand[]')];
  const chosen =
    expand.length > 0
      ? Object.fromEntries(expand.filter((k) => k in fields).map((k) => [k, fields[k]]))
      : fields;
  return jsonReply({ _id: repo.meta.id, id: repo.name, ...chosen });
};
