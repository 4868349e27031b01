import { InvalidBlobKeyError } from './errors.js';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Keys are relative, `/`-separated, made of safe characters, with no empty, `.` or `..` segment. */
export function isValidKey(key: string): boolean {
  return key.length > 0 && key.length <= 512 && key.split('/').every((segment) => SEGMENT.test(segment));
}

export function assertValidKey(key: string): void {
  if (!isValidKey(key)) throw new InvalidBlobKeyError(key);
}

/** Packs are sharded by the first two hex digits, so no folder passes 10,000 entries. */
export function packKey(sha256: string): string {
  return `packs/${sha256.slice(0, 2)}/${sha256}.pack`;
}
