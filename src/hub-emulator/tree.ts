import { readableRepo } from './access.js';
import type { Handler } from './context.js';
import { foldersOf, isInside, parentOf } from './file-table.js';
import { entryNotFound, revisionNotFound } from './hub-error.js';
import { decodeCursor, encodeCursor, nextLink, pageLimit } from './pagination.js';
import { jsonReply } from './reply.js';
import { treeEntries } from './tree-entries.js';

/** The Hub's page sizes: 1000 entries, 100 when expanded (lastCommit is costly). */
const PAGE = 1000;
const EXPANDED_PAGE = 100;

const truthy = (value: string | null) => value === 'true' || value === '1';

/**
 * `GET /api/datasets/{repo}/tree/{rev}[/{path}]?recursive=&expand=&limit=&cursor=`. Entries come
 * sorted by path (the Hub's order is unknown); a recursive listing holds folders as well as files.
 * Pages: `Link: <absolute url>; rel="next"` while more remain. The cursor is the last path of the
 * page, so a branch that moves between pages gives the new state from that path on.
 */
export const listTree: Handler = async ({ hub, params, identity, url, origin }) => {
  const [name = '', revision = '', folder = ''] = params;
  const repo = readableRepo(hub.repos, name, identity);
  const commit = await repo.resolve(revision);
  if (!commit) throw revisionNotFound(revision);
  const folders = foldersOf(commit.files);
  if (folder !== '' && !folders.has(folder)) throw entryNotFound(folder);
  const recursive = truthy(url.searchParams.get('recursive'));
  const expand = truthy(url.searchParams.get('expand'));
  const limit = pageLimit(url, expand ? EXPANDED_PAGE : PAGE);
  const after = decodeCursor(url);
  const within = (path: string) => (recursive ? isInside(path, folder) : parentOf(path) === folder);
  const paths = [...commit.files.keys(), ...folders]
    .filter((p) => within(p) && (after === null || p > after))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const page = paths.slice(0, limit);
  const entries = await treeEntries(repo, commit, page, expand, folders);
  const more = paths.length > page.length;
  return jsonReply(
    entries,
    200,
    more ? nextLink(origin, url, { cursor: encodeCursor(page[page.length - 1]!) }) : {},
  );
};
