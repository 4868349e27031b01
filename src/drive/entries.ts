import type { NodeRow } from '../meta/schema.js';

/** A file or folder as the API shows it. */
export interface Entry {
  id: number;
  name: string;
  path: string;
  kind: 'dir' | 'file';
  size: number;
  createdAt: number;
  modifiedAt: number;
  /** Strong validator of the current content (files only). */
  etag: string | null;
}

export function toEntry(row: NodeRow, path: string, contentHash: string | null): Entry {
  return {
    id: row.id,
    name: row.name,
    path,
    kind: row.kind,
    size: row.size,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
    etag: etagFor(contentHash),
  };
}

export function childPath(parentPath: string, name: string): string {
  return parentPath === '/' ? `/${name}` : `${parentPath}/${name}`;
}

/** A strong ETag from the content hash: equal bytes, equal tag. */
export function etagFor(contentHash: string | null): string | null {
  return contentHash ? `"${contentHash.slice(0, 40)}"` : null;
}

/** A precondition's tags against a current ETag: "*" matches anything that exists. */
export function tagsMatch(tags: '*' | string[], etag: string | null): boolean {
  return etag !== null && (tags === '*' || tags.includes(etag));
}
