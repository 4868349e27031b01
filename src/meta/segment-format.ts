import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { JournalCut } from './journal.js';

/** The first line of every segment. */
export interface SegmentHeader {
  hubdrive: 'journal';
  format: number;
  /** The newest migration of the database that wrote it: a newer one than this version knows is refused. */
  schema: string;
  from: number;
  to: number;
  count: number;
}

/** One row change: an upsert of row `r` (with `k` the old key when the key changed), or a delete of key `k`. */
export interface SegmentEntry {
  s: number;
  t: string;
  o: 'u' | 'd';
  k: Record<string, unknown> | null;
  r: Record<string, unknown> | null;
}

export const SEGMENT_FORMAT = 1;

/** A stored object that cannot be read back as what it claims to be. */
export class DamagedObjectError extends Error {
  override name = 'DamagedObjectError';
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Compressed off the main thread (zlib's pool): a segment may hold 100,000 changes. */
export function encodeSegment(cut: JournalCut, schema: string): Promise<Buffer> {
  const header: SegmentHeader = {
    hubdrive: 'journal',
    format: SEGMENT_FORMAT,
    schema,
    from: cut.from,
    to: cut.to,
    count: cut.lines.length,
  };
  return gzipAsync(`${JSON.stringify(header)}\n${cut.lines.join('\n')}\n`);
}

export async function decodeSegment(
  key: string,
  bytes: Buffer,
): Promise<{ header: SegmentHeader; entries: SegmentEntry[] }> {
  let text: string;
  try {
    text = (await gunzipAsync(bytes)).toString('utf8');
  } catch (error) {
    throw new DamagedObjectError(`${key} is damaged: ${(error as Error).message}`);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let header: SegmentHeader;
  let entries: SegmentEntry[];
  try {
    header = JSON.parse(lines[0] ?? '') as SegmentHeader;
    entries = lines.slice(1).map((line) => JSON.parse(line) as SegmentEntry);
  } catch {
    throw new DamagedObjectError(`${key} is damaged: a line is not JSON`);
  }
  if (header.hubdrive !== 'journal' || typeof header.format !== 'number')
    throw new DamagedObjectError(`${key} is not a hubdrive journal segment`);
  if (header.format > SEGMENT_FORMAT)
    throw new NewerFormatError(`${key} was written by a newer hubdrive (journal format ${header.format})`);
  if (entries.length !== header.count || entries.at(-1)?.s !== header.to)
    throw new DamagedObjectError(`${key} is damaged: it holds ${entries.length} of ${header.count} changes`);
  return { header, entries };
}

/** Metadata written by a newer hubdrive than this one. */
export class NewerFormatError extends Error {
  override name = 'NewerFormatError';
}
