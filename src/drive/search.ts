import { sql } from 'kysely';
import { BadRequestError } from '../errors/domain-error.js';
import type { NodeRow } from '../meta/schema.js';
import { toEntry, type Entry } from './entries.js';
import { decodeCursor, DEFAULT_PAGE, encodeCursor, MAX_PAGE } from './listing.js';
import { livePaths } from './live-paths.js';
import { locate, type Db } from './node-queries.js';
import type { User } from './users.js';

export interface SearchOptions {
  /** Part of a name; matched without regard to ASCII case. */
  query: string;
  /** The folder to search below (default the root). */
  path?: string;
  cursor?: string;
  limit?: number;
}

export interface SearchPage {
  /** Matches by name (ASCII case ignored), then id; each with its full path. */
  entries: Entry[];
  nextCursor: string | null;
}

export const MAX_QUERY_LENGTH = 255;

type SearchCursor = [name: string, id: number];

function isSearchCursor(value: unknown[]): value is SearchCursor {
  return value.length === 2 && typeof value[0] === 'string' && Number.isSafeInteger(value[1]);
}

/** A LIKE pattern for "contains", with the pattern's own wildcards taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Live files and folders below a folder whose name contains the query, a page at a time (keyset
 * on name and id). One recursive walk of the live subtree per page: a folder in the trash stops
 * the walk, so nothing below it is found, and only the page's paths are built.
 */
export async function searchTree(db: Db, user: User, options: SearchOptions): Promise<SearchPage> {
  const text = options.query.normalize('NFC');
  if (text.length === 0) throw new BadRequestError('the search text is empty', 'INVALID_INPUT');
  if (text.length > MAX_QUERY_LENGTH) {
    throw new BadRequestError(
      `the search text can be at most ${MAX_QUERY_LENGTH} characters`,
      'INVALID_INPUT',
    );
  }
  const top = await locate(db, user, options.path ?? '/');
  if (top.node.kind !== 'dir') throw new BadRequestError(`${top.path} is not a folder`, 'NOT_A_FOLDER');
  const limit = Math.min(Math.max(1, options.limit ?? DEFAULT_PAGE), MAX_PAGE);
  const cursor = options.cursor ? decodeCursor(options.cursor, isSearchCursor) : null;
  const after = cursor
    ? sql`and (nodes.name collate nocase > ${cursor[0]}
          or (nodes.name collate nocase = ${cursor[0]} and nodes.id > ${cursor[1]}))`
    : sql``;
  const result = await sql<NodeRow & { content_hash: string | null }>`
    with recursive t(id, kind) as (
      select id, kind from nodes where parent_id = ${top.node.id} and trashed_at is null
      union all
      select n.id, n.kind from nodes n join t on n.parent_id = t.id
        where t.kind = 'dir' and n.trashed_at is null
    )
    select nodes.*, manifests.content_hash from t
      join nodes on nodes.id = t.id
      left join versions on versions.id = nodes.version_id
      left join manifests on manifests.id = versions.manifest_id
    where nodes.name like ${containsPattern(text)} escape '\\' ${after}
    order by nodes.name collate nocase, nodes.id
    limit ${limit + 1}`.execute(db);
  const page = result.rows.slice(0, limit);
  const paths = await livePaths(
    db,
    page.map((row) => row.id),
  );
  const last = page[page.length - 1];
  const entries: Entry[] = [];
  for (const row of page) {
    // Reached through live folders, so it has a path, unless it went to the trash just now.
    const path = paths.get(row.id);
    if (path) entries.push(toEntry(row, path, row.content_hash));
  }
  return {
    entries,
    nextCursor: result.rows.length > limit && last ? encodeCursor([last.name, last.id]) : null,
  };
}
