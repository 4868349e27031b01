import { sql } from 'kysely';
import { PayloadTooLargeError } from '../errors/domain-error.js';
import { formatSize } from '../config/sizes.js';
import type { Db } from './node-queries.js';

export class QuotaExceededError extends PayloadTooLargeError {
  constructor(quota: number) {
    super(`this would go over your storage quota of ${formatSize(quota)}`, 'QUOTA_EXCEEDED');
  }
}

/** Throws when `bytes` more would not fit in the user's quota, as the database has it now. */
export async function checkQuota(db: Db, userId: number, bytes: number): Promise<void> {
  const row = await db
    .selectFrom('users')
    .select(['quota_bytes', 'used_bytes'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  if (row.quota_bytes !== null && row.used_bytes + bytes > row.quota_bytes) {
    throw new QuotaExceededError(row.quota_bytes);
  }
}

/** Counts `bytes` (negative to give back) against the user; checks the quota when adding. */
export async function chargeQuota(db: Db, userId: number, bytes: number): Promise<void> {
  if (bytes > 0) await checkQuota(db, userId, bytes);
  await db
    .updateTable('users')
    .set({ used_bytes: sql`max(0, used_bytes + ${bytes})` })
    .where('id', '=', userId)
    .execute();
}
