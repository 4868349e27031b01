import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { BadRequestError } from '../errors/domain-error.js';
import type { Schema } from '../meta/schema.js';

export type SortKey = 'name' | 'size' | 'modified';
export type SortOrder = 'asc' | 'desc';

export interface ListOptions {
  cursor?: string;
  limit?: number;
  sort?: SortKey;
  order?: SortOrder;
}

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 200;

type Cursor = [kind: string, value: string | number, id: number];

/** A keyset cursor as clients carry it: the JSON of the last row's sort key, in base64url. */
export function encodeCursor(cursor: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** A cursor a client sent back, if it has the shape `isShape` expects; BAD_CURSOR otherwise. */
export function decodeCursor<T extends unknown[]>(text: string, isShape: (value: unknown[]) => value is T): T;
export function decodeCursor(text: string): Cursor;
export function decodeCursor(text: string, isShape: (value: unknown[]) => boolean = isListCursor): unknown {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && isShape(value)) return value;
  } catch {
    // fall through
  }
  throw new BadRequestError('the page cursor is not valid', 'BAD_CURSOR');
}

function isListCursor(value: unknown[]): value is Cursor {
  return (
    value.length === 3 &&
    typeof value[0] === 'string' &&
    (typeof value[1] === 'string' || typeof value[1] === 'number') &&
    Number.isSafeInteger(value[2])
  );
}

/** The column a listing sorts by; names sort without regard to ASCII case. */
export function sortExpression(sort: SortKey): Expression<string | number> {
  switch (sort) {
    case 'size':
      return sql<number>`nodes.size`;
    case 'modified':
      return sql<number>`nodes.modified_at`;
    default:
      return sql<string>`nodes.name collate nocase`;
  }
}

export function sortValue(
  sort: SortKey,
  row: { name: string; size: number; modified_at: number },
): string | number {
  return sort === 'size' ? row.size : sort === 'modified' ? row.modified_at : row.name;
}

/**
 * Keyset paging: rows after the cursor in (folders first, sort value, id) order. Folders always come
 * first; the sort value and id follow the requested direction.
 */
export function afterCursor(
  eb: ExpressionBuilder<Schema, 'nodes'>,
  cursor: Cursor,
  sort: SortKey,
  order: SortOrder,
): Expression<SqlBool> {
  const [kind, value, id] = cursor;
  const op = order === 'asc' ? '>' : '<';
  const key = sortExpression(sort);
  return eb.or([
    eb('nodes.kind', '>', kind as 'dir' | 'file'),
    eb.and([
      eb('nodes.kind', '=', kind as 'dir' | 'file'),
      eb.or([eb(key, op, value), eb.and([eb(key, '=', value), eb('nodes.id', op, id)])]),
    ]),
  ]);
}
