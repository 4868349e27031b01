import { sql, type Kysely } from 'kysely';
import type { IngestResult } from '../content/ingest.js';
import { Manifest, MANIFEST_ENTRY_BYTES } from '../content/manifest.js';
import type { StoredChunk } from '../content/ports.js';
import type { Schema } from '../meta/schema.js';

/** Called inside the caller's transaction. */
type Tx = Kysely<Schema>;

const INSERT_BATCH = 500;

/** Counts how often each chunk id occurs in an encoded manifest, as [hex id, count] pairs. */
function chunkCounts(encoded: Buffer): [string, number][] {
  const manifest = Manifest.decode(encoded);
  const counts = new Map<string, number>();
  for (let i = 0; i < manifest.count; i++) {
    const hex = manifest.id(i).toString('hex');
    counts.set(hex, (counts.get(hex) ?? 0) + 1);
  }
  return [...counts];
}

/**
 * Adds (sign +1) or removes (-1) one use of each chunk entry of a manifest (or of any chunk list
 * encoded like one: an upload's part), keeping each pack's live bytes in step with the chunks whose
 * count crosses zero.
 */
export async function adjustChunkRefs(trx: Tx, manifest: Buffer, sign: 1 | -1): Promise<void> {
  const pairs = JSON.stringify(chunkCounts(manifest).map(([id, n]) => [id, n * sign]));
  const deltas = sql`select unhex(value ->> 0) as id, value ->> 1 as delta from json_each(${pairs})`;
  // Chunks going from 0 to >0 become live; from >0 to 0, dead. Computed before the counts change.
  const perPack = await sql<{ pack_id: number; delta: number }>`
    select c.pack_id, sum(case when c.refcount = 0 and d.delta > 0 then c.stored_length
                               when c.refcount + d.delta = 0 and d.delta < 0 then -c.stored_length
                               else 0 end) as delta
    from (${deltas}) d join chunks c on c.id = d.id
    group by c.pack_id`.execute(trx);
  for (const { pack_id, delta } of perPack.rows) {
    if (delta !== 0) {
      await trx
        .updateTable('packs')
        .set({ live_bytes: sql`live_bytes + ${delta}` })
        .where('id', '=', pack_id)
        .execute();
    }
  }
  // UPDATE … FROM joins once; a correlated subquery per row would be quadratic in the chunk count.
  await sql`
    update chunks set refcount = chunks.refcount + d.delta
    from (${deltas}) d
    where chunks.id = d.id`.execute(trx);
}

/** Records chunks new to the index, unreferenced (a chunk recorded meanwhile is kept as it is). */
export async function recordChunks(trx: Tx, chunks: readonly StoredChunk[]): Promise<void> {
  for (let i = 0; i < chunks.length; i += INSERT_BATCH) {
    await trx
      .insertInto('chunks')
      .values(
        chunks.slice(i, i + INSERT_BATCH).map((chunk) => ({
          id: chunk.id,
          pack_id: chunk.packId,
          offset: chunk.offset,
          stored_length: chunk.storedLength,
          plain_length: chunk.plainLength,
          refcount: 0,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

/**
 * Makes ingested content referenceable: records its new chunks, and returns the id of its manifest
 * (an existing one when equal content is already stored) with one more reference on it.
 */
export async function attachContent(trx: Tx, content: IngestResult, now: number): Promise<number> {
  const existing = await trx
    .selectFrom('manifests')
    .select('id')
    .where('content_hash', '=', content.contentHash)
    .executeTakeFirst();
  if (existing) {
    await retainManifest(trx, existing.id);
    return existing.id;
  }
  await recordChunks(trx, content.newChunks);
  await adjustChunkRefs(trx, content.manifest, 1);
  const row = await trx
    .insertInto('manifests')
    .values({
      content_hash: content.contentHash,
      size: content.size,
      chunk_count: content.manifest.length / MANIFEST_ENTRY_BYTES,
      chunks: content.manifest,
      refcount: 1,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Adds a reference to an existing manifest (a copy, or a restored version). */
export async function retainManifest(trx: Tx, manifestId: number): Promise<void> {
  await trx
    .updateTable('manifests')
    .set({ refcount: sql`refcount + 1` })
    .where('id', '=', manifestId)
    .execute();
}

/** Drops one reference; the last one releases the manifest's chunks. */
export async function releaseManifest(trx: Tx, manifestId: number): Promise<void> {
  const row = await trx
    .updateTable('manifests')
    .set({ refcount: sql`refcount - 1` })
    .where('id', '=', manifestId)
    .returning(['refcount', 'chunks'])
    .executeTakeFirstOrThrow();
  if (row.refcount > 0) return;
  await adjustChunkRefs(trx, row.chunks, -1);
  await trx.deleteFrom('manifests').where('id', '=', manifestId).execute();
}
