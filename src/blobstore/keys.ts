import { InvalidBlobKeyError } from './errors.js';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Keys are relative, `/`-separated, made of safe characters, with no empty, `.` or `..` segment. */
export function assertValidKey(key: string): void {
  if (key.length === 0 || key.length > 512) throw new InvalidBlobKeyError(key);
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) throw new InvalidBlobKeyError(key);
  }
}

/** Packs are sharded by the first two hex digits, so no folder passes 10,000 entries. */
export function packKey(sha256: string): string {
  return `packs/${sha256.slice(0, 2)}/${sha256}.pack`;
}
