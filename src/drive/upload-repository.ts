import type { IngestPart } from '../content/ingest.js';
import { adjustChunkRefs, recordChunks } from './content-refs.js';
import type { Db } from './node-queries.js';
import { ConflictError } from '../errors/domain-error.js';
import type { UploadRow } from '../meta/schema.js';

/** The uploads and upload_parts tables (migration 0007); every function runs in the caller's transaction. */

export function findUpload(db: Db, id: string): Promise<UploadRow | undefined> {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The user's unfinished uploads that have not expired at `now`, oldest first. */
export function unfinishedUploads(db: Db, userId: number, now: number): Promise<UploadRow[]> {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('user_id', '=', userId)
    .where('completed_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function insertUpload(db: Db, row: UploadRow): Promise<void> {
  await db.insertInto('uploads').values(row).execute();
}

/**
 * Records a part after the `offset` bytes the upload holds: its new chunks go into the index, and
 * each entry takes a reference on its chunk. Fails, changing nothing, when the upload is gone,
 * finished, or no longer at `offset` (it changed meanwhile).
 */
export async function appendPart(
  trx: Db,
  id: string,
  offset: number,
  part: IngestPart,
  times: { now: number; expiresAt: number },
): Promise<void> {
  const current = await trx
    .selectFrom('uploads')
    .select('parts')
    .where('id', '=', id)
    .where('offset', '=', offset)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  if (!current) throw new ConflictError('the upload was cancelled or changed meanwhile', 'UPLOAD_CHANGED');
  await recordChunks(trx, part.newChunks);
  await adjustChunkRefs(trx, part.manifest, 1);
  await trx
    .insertInto('upload_parts')
    .values({ upload_id: id, seq: current.parts, size: part.size, chunks: part.manifest })
    .execute();
  // Last: the journal ships a chunk row only once its pack is in the store, and every change after
  // it waits with it, so a restored offset never runs ahead of the parts that make it up.
  await trx
    .updateTable('uploads')
    .set({
      offset: offset + part.size,
      parts: current.parts + 1,
      updated_at: times.now,
      expires_at: times.expiresAt,
    })
    .where('id', '=', id)
    .execute();
}

/** Notes activity without new chunks (a request that ended before a chunk was complete). */
export async function touchUpload(
  db: Db,
  id: string,
  times: { now: number; expiresAt: number },
): Promise<void> {
  await db
    .updateTable('uploads')
    .set({ updated_at: times.now, expires_at: times.expiresAt })
    .where('id', '=', id)
    .where('completed_at', 'is', null)
    .execute();
}

/** How many unfinished, unexpired uploads the user holds. */
export async function countUnfinished(db: Db, userId: number, now: number): Promise<number> {
  const row = await db
    .selectFrom('uploads')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('completed_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The recorded parts' chunk lists, in order. */
export async function partsOf(db: Db, id: string): Promise<Buffer[]> {
  const rows = await db
    .selectFrom('upload_parts')
    .select('chunks')
    .where('upload_id', '=', id)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.chunks);
}

/** Gives back the references the parts hold and forgets them. */
export async function releaseParts(trx: Db, id: string, parts?: Buffer[]): Promise<void> {
  // One release of all the parts' chunks: the counts add up, and a chunk crosses to 0 at most once.
  const chunks = Buffer.concat(parts ?? (await partsOf(trx, id)));
  if (chunks.length > 0) await adjustChunkRefs(trx, chunks, -1);
  await trx.deleteFrom('upload_parts').where('upload_id', '=', id).execute();
}

/** The upload is a file now: it keeps no part, and stays a while to tell a client that asks again. */
export async function markCompleted(
  trx: Db,
  id: string,
  length: number,
  times: { now: number; expiresAt: number },
): Promise<void> {
  await trx
    .updateTable('uploads')
    .set({ offset: length, completed_at: times.now, updated_at: times.now, expires_at: times.expiresAt })
    .where('id', '=', id)
    .execute();
}

export async function deleteUpload(trx: Db, id: string): Promise<void> {
  await releaseParts(trx, id);
  await trx.deleteFrom('uploads').where('id', '=', id).execute();
}

/** Uploads whose time ran out at `now`, a batch at a time. */
export async function expiredUploads(db: Db, now: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('uploads')
    .select('id')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
