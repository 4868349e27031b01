/**
 * If-Match / If-None-Match / If-Range values (RFC 9110 §8.8.3, §13.1): "*" or a list of entity tags.
 * `strong` keeps only strong tags (If-Match compares strongly: a weak tag never matches); `weak`
 * keeps every tag without its W/ prefix (If-None-Match compares weakly).
 */
export function parseEntityTags(
  header: string | undefined,
  comparison: 'strong' | 'weak',
): '*' | string[] | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  const tags = header.split(',').map((t) => t.trim());
  return comparison === 'strong'
    ? tags.filter((t) => t.startsWith('"'))
    : tags.map((t) => t.replace(/^W\//, ''));
}
