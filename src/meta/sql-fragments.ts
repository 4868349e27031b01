import { sql } from 'kysely';

/** The select list of an exists() subquery. */
export const EXISTS_ONE = sql<number>`1`.as('one');

/** A subquery of chunk ids given in hex (pins), for `id not in (...)`. */
export function hexIds(ids: Iterable<string>) {
  return sql<Buffer>`(select unhex(value) from json_each(${JSON.stringify([...ids])}))`;
}
