import argon2 from 'argon2';
import { BadRequestError } from '../errors/domain-error.js';

// OWASP's argon2id baseline (19 MiB, 2 passes): safe, and light enough for a small Space.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash of nothing, verified when a user does not exist, so timing does not tell usernames apart. */
let dummyHash: Promise<string> | null = null;
export async function burnVerify(password: string): Promise<void> {
  dummyHash ??= hashPassword('hubdrive-dummy-password');
  await verifyPassword(await dummyHash, password);
}

export function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new BadRequestError(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`, 'WEAK_PASSWORD');
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new BadRequestError(
      `a password can have at most ${MAX_PASSWORD_LENGTH} characters`,
      'BAD_PASSWORD',
    );
  }
}
