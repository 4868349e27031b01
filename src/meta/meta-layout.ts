import type { BlobStore } from '../blobstore/blob-store.js';

/**
 * Where metadata lives in the store (ARCHITECTURE.md, "Layout of the store"):
 *   meta/snapshot/<seq>.db.gz       a consistent copy of the database, through journal entry <seq>
 *   meta/journal/<seq>.ndjson.gz    the changes up to and including entry <seq>
 * Sequence numbers are zero-padded so that names sort in order.
 */
export const SNAPSHOT_PREFIX = 'meta/snapshot/';
export const JOURNAL_PREFIX = 'meta/journal/';

const DIGITS = 16;
const pad = (seq: number) => String(seq).padStart(DIGITS, '0');

export const snapshotKey = (seq: number) => `${SNAPSHOT_PREFIX}${pad(seq)}.db.gz`;
export const segmentKey = (to: number) => `${JOURNAL_PREFIX}${pad(to)}.ndjson.gz`;

function parse(key: string, prefix: string, suffix: string): number | null {
  if (!key.startsWith(prefix) || !key.endsWith(suffix)) return null;
  const digits = key.slice(prefix.length, key.length - suffix.length);
  return /^\d{1,20}$/.test(digits) ? Number(digits) : null;
}

export const snapshotSeq = (key: string) => parse(key, SNAPSHOT_PREFIX, '.db.gz');
export const segmentSeq = (key: string) => parse(key, JOURNAL_PREFIX, '.ndjson.gz');

/** The seqs of the snapshots and journal segments the store holds (one listing of `meta/`), unsorted. */
export async function listMeta(
  store: Pick<BlobStore, 'list'>,
): Promise<{ snapshots: number[]; segments: number[] }> {
  const snapshots: number[] = [];
  const segments: number[] = [];
  for await (const { key } of store.list('meta/')) {
    const snapshot = snapshotSeq(key);
    if (snapshot !== null) snapshots.push(snapshot);
    const segment = segmentSeq(key);
    if (segment !== null) segments.push(segment);
  }
  return { snapshots, segments };
}
