import type { ByteRange } from '../blobstore/blob-store.js';
import { RangeNotSatisfiableError } from '../errors/domain-error.js';

/**
 * Parses a Range header for a representation of `size` bytes (RFC 9110 §14.2). Returns null when the
 * whole representation should be sent: no header, a unit other than bytes, a syntax error, or several
 * ranges (answered in full rather than as multipart). Throws RangeNotSatisfiableError when the range
 * lies outside the representation.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null {
  if (!header) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '' && last === '') return null;
  let start: number;
  let end: number;
  if (first === '') {
    // bytes=-N: the last N bytes.
    const suffix = Number(last);
    if (suffix === 0) throw new RangeNotSatisfiableError('empty suffix range', size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return null;
  }
  if (!Number.isSafeInteger(start) || start >= size) {
    throw new RangeNotSatisfiableError(`range starts beyond the end of the file (${size} bytes)`, size);
  }
  return { start, end };
}
