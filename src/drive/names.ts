import { BadRequestError } from '../errors/domain-error.js';

export const MAX_NAME_BYTES = 255;
/** Longer paths or deeper trees would only let one request hold the database for long. */
export const MAX_PATH_BYTES = 4096;
export const MAX_DEPTH = 256;

// C0 and C1 controls, DEL, and the bidirectional overrides and isolates that make "evil\u202Etxt.exe"
// look like "evilexe.txt".
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// A UTF-16 surrogate without its pair: not a character, and not storable as UTF-8.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export class InvalidNameError extends BadRequestError {
  constructor(message: string) {
    super(message, 'INVALID_NAME');
  }
}

/**
 * Validates one file or folder name and returns its NFC form. Rejected: empty, "." and "..", "/",
 * "\" (a path separator on Windows clients), NUL and other control characters, bidirectional
 * overrides, broken UTF-16, and names over 255 bytes of UTF-8.
 */
export function normalizeName(raw: string): string {
  const name = raw.normalize('NFC');
  if (name.length === 0) throw new InvalidNameError('a name cannot be empty');
  if (name === '.' || name === '..') throw new InvalidNameError(`"${name}" is not allowed as a name`);
  if (name.includes('/') || name.includes('\\')) {
    throw new InvalidNameError('a name cannot contain "/" or "\\"');
  }
  if (FORBIDDEN.test(name)) {
    throw new InvalidNameError('a name cannot contain control characters or direction overrides');
  }
  if (LONE_SURROGATE.test(name)) throw new InvalidNameError('a name must be valid Unicode text');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    throw new InvalidNameError(`a name can be at most ${MAX_NAME_BYTES} bytes long`);
  }
  return name;
}

/** Splits a drive path such as "/Photos/2024/a.jpg" into validated names; "/" or "" is the root. */
export function parsePath(raw: string): string[] {
  if (raw.includes('\u0000')) throw new InvalidNameError('a path cannot contain NUL');
  if (Buffer.byteLength(raw, 'utf8') > MAX_PATH_BYTES) {
    throw new InvalidNameError(`a path can be at most ${MAX_PATH_BYTES} bytes long`);
  }
  const names = raw
    .split('/')
    .filter((segment) => segment !== '')
    .map(normalizeName);
  if (names.length > MAX_DEPTH) throw new InvalidNameError(`a path can be at most ${MAX_DEPTH} folders deep`);
  return names;
}

/** Shortens a name's stem until `stem + suffix + extension` fits in MAX_NAME_BYTES. */
export function fitName(stem: string, suffix: string, extension: string): string {
  let chars = [...stem];
  const fits = () => Buffer.byteLength(chars.join('') + suffix + extension, 'utf8') <= MAX_NAME_BYTES;
  while (!fits() && chars.length > 1) chars = chars.slice(0, -1);
  return normalizeName(chars.join('') + suffix + extension);
}

export function formatPath(names: readonly string[]): string {
  return `/${names.join('/')}`;
}
