import { sql } from 'kysely';
import { PayloadTooLargeError } from '../errors/domain-error.js';
import { formatSize } from '../config/sizes.js';
import type { Db } from './node-queries.js';

export class QuotaExceededError extends PayloadTooLargeError {
  constructor(quota: number) {
    super(`this would go over your storage quota of ${formatSize(quota)}`, 'QUOTA_EXCEEDED');
  }
}

export interface QuotaState {
  quota_bytes: number | null;
  used_bytes: number;
}

/**
 * The user's quota, and what counts against it: their files, and the full length of each of their
 * unfinished uploads (their chunks take room meanwhile, and will be a file).
 */
export async function quotaOf(db: Db, userId: number): Promise<QuotaState> {
  const user = await db
    .selectFrom('users')
    .select(['quota_bytes', 'used_bytes'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const reserved = await db
    .selectFrom('uploads')
    .select((eb) => eb.fn.sum<number | null>('length').as('bytes'))
    .where('user_id', '=', userId)
    .where('completed_at', 'is', null)
    .where('expires_at', '>', Date.now())
    .executeTakeFirstOrThrow();
  return { quota_bytes: user.quota_bytes, used_bytes: user.used_bytes + Number(reserved.bytes ?? 0) };
}

/** Throws when `bytes` more would not fit in the quota as `state` has it. */
export function assertFits(state: QuotaState, bytes: number): void {
  if (state.quota_bytes !== null && state.used_bytes + bytes > state.quota_bytes) {
    throw new QuotaExceededError(state.quota_bytes);
  }
}

/** Counts `bytes` (negative to give back) against the user; checks the quota when adding. */
export async function chargeQuota(db: Db, userId: number, bytes: number): Promise<void> {
  if (bytes > 0) assertFits(await quotaOf(db, userId), bytes);
  await db
    .updateTable('users')
    .set({ used_bytes: sql`max(0, used_bytes + ${bytes})` })
    .where('id', '=', userId)
    .execute();
}
