import { readableRepo } from './access.js';
import type { Handler } from './context.js';
import { isInside } from './file-table.js';
import { entryNotFound, revisionNotFound } from './hub-error.js';
import { jsonReply } from './reply.js';

/**
 * `GET /api/datasets/{repo}/treesize/{rev}/{path}`: bytes of the files under a folder (LFS files
 * by their real size); the root when the path is empty; a file's own size for a file. The Hub's
 * answer format is unknown: `{"path", "size"}`.
 */
export const treeSize: Handler = async ({ hub, params, identity }) => {
  const [name = '', revision = '', folder = ''] = params;
  const repo = readableRepo(hub.repos, name, identity);
  const commit = await repo.resolve(revision);
  if (!commit) throw revisionNotFound(revision);
  const path = folder.replace(/\/+$/, '');
  const file = commit.files.get(path);
  if (file) return jsonReply({ path, size: file.size });
  let size = 0;
  let found = path === '';
  for (const [p, entry] of commit.files) {
    if (!isInside(p, path)) continue;
    size += entry.size;
    found = true;
  }
  if (!found) throw entryNotFound(path);
  return jsonReply({ path, size });
};
