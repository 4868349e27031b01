import { BadRequestError } from '../errors/domain-error.js';

export const MAX_NAME_BYTES = 255;

export class InvalidNameError extends BadRequestError {
  constructor(message: string) {
    super(message, 'INVALID_NAME');
  }
}

/**
 * Validates one file or folder name and returns its NFC form. Rejected: empty, "." and "..", "/",
 * "\" (a path separator on Windows clients), NUL and other control characters, and names over 255
 * bytes of UTF-8.
 */
export function normalizeName(raw: string): string {
  const name = raw.normalize('NFC');
  if (name.length === 0) throw new InvalidNameError('a name cannot be empty');
  if (name === '.' || name === '..') throw new InvalidNameError(`"${name}" is not allowed as a name`);
  if (name.includes('/') || name.includes('\\')) {
    throw new InvalidNameError('a name cannot contain "/" or "\\"');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new InvalidNameError('a name cannot contain control characters');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    throw new InvalidNameError(`a name can be at most ${MAX_NAME_BYTES} bytes long`);
  }
  return name;
}

/** Splits a drive path such as "/Photos/2024/a.jpg" into validated names; "/" or "" is the root. */
export function parsePath(raw: string): string[] {
  if (raw.includes('\u0000')) throw new InvalidNameError('a path cannot contain NUL');
  return raw
    .split('/')
    .filter((segment) => segment !== '')
    .map(normalizeName);
}

export function formatPath(names: readonly string[]): string {
  return `/${names.join('/')}`;
}
