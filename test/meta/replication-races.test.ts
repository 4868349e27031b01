import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import pino from 'pino';
import { LocalStore } from '../../src/blobstore/local-store.js';
import { openDatabase } from '../../src/meta/database.js';
import { SqliteJournal } from '../../src/meta/journal.js';
import { Replicator } from '../../src/meta/replicator.js';
import { restoreMetadata } from '../../src/meta/restore.js';
import { SqlitePackCatalog } from '../../src/meta/sqlite-pack-catalog.js';
import { defer } from '../helpers/cleanup.js';
import { pseudoRandom } from '../helpers/data.js';
import { buildApp, openDrive, SMALL_CONTENT_ENV } from '../helpers/drive.js';
import { hookedStore } from '../helpers/hooked-store.js';
import { tempDir } from '../helpers/temp.js';
import { until } from '../helpers/wait.js';

const quiet = pino({ level: 'silent' });

/** A database with its journal, a local store, and a replicator to open on them (once the test is ready). */
async function replicationRig(label: string, snapshotIntervalMs = 3_600_000) {
  const dir = tempDir(label);
  const dbFile = path.join(dir, 'hubdrive.db');
  const db = await openDatabase(dbFile);
  defer(() => db.destroy());
  const store = await LocalStore.open({ dir: path.join(dir, 'store') });
  defer(() => store.close());
  const open = () =>
    Replicator.open({
      db,
      dbFile,
      store,
      workDir: path.join(dir, 'replication'),
      snapshotIntervalMs,
      logger: quiet,
    });
  return { db, store, open };
}

/** Restores the metadata a copy of a store holds, and lists the chunks whose pack the store lacks. */
async function chunksWithoutPack(storeCopy: string): Promise<string[]> {
  const store = await LocalStore.open({ dir: storeCopy });
  const dbFile = path.join(tempDir('races-restore'), 'hubdrive.db');
  const report = await restoreMetadata({ store, dbFile, workDir: tempDir('races-work'), logger: quiet });
  const keys = new Set<string>();
  for await (const { key } of store.list('packs/')) keys.add(key);
  await store.close();
  if (!report) return [];
  const db = new SQLite(dbFile, { readonly: true });
  try {
    const rows = db
      .prepare(
        `select distinct c.pack_id as pack, p.key, p.state from chunks c left join packs p on p.id = c.pack_id`,
      )
      .all() as { pack: number; key: string | null; state: string | null }[];
    return rows
      .filter((r) => r.key === null || !keys.has(r.key))
      .map((r) => `pack ${r.pack} (${r.state}, ${r.key})`);
  } finally {
    db.close();
  }
}

describe('replication under concurrent writes and failed commits', () => {
  test('under concurrent uploads that fill and seal packs, every commit leaves metadata whose chunks all name packs in the store', async () => {
    const storeDir = tempDir('races-store');
    const copies: string[] = [];
    const inner = await LocalStore.open({ dir: storeDir });
    const store = hookedStore(inner, {
      async commit(message) {
        const result = await inner.commit(message);
        // The store as a wiped machine would find it right after this commit.
        const copy = path.join(tempDir('races-copy'), 'store');
        mkdirSync(copy, { recursive: true });
        cpSync(storeDir, copy, { recursive: true });
        copies.push(copy);
        return result;
      },
    });
    const { app, admin, close } = await openDrive(
      { ...SMALL_CONTENT_ENV, PACK_SIZE: '1MiB', STAGING_LIMIT: '64MiB', FLUSH_INTERVAL: '1' },
      { store },
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < 240) {
          const i = next++;
          // Small and mid-sized files: packs of 1 MiB fill and seal while others write.
          const size = i % 7 === 0 ? 300_000 : 5_000 + i * 37;
          await app.drive.files.write(admin, `/f${i}.bin`, Readable.from([pseudoRandom(size, i)]));
        }
      }),
    );
    await close();
    assert.ok(copies.length >= 3, `${copies.length} commits`);
    for (const [i, copy] of copies.entries()) {
      assert.deepEqual(await chunksWithoutPack(copy), [], `after commit ${i + 1} of ${copies.length}`);
    }
  });

  test('after a refused commit, the retry plans again for the packs it carries now', async () => {
    const { db, open } = await replicationRig('races-unit');
    const catalog = new SqlitePackCatalog(db);
    const replicator = await open();
    await replicator.snapshotNow();
    const packs = [await catalog.create(Date.now()), await catalog.create(Date.now())];
    for (const [i, pack] of packs.entries()) {
      await catalog.markSealed(pack, `packs/0${i}/x.pack`, 10);
      await db
        .insertInto('chunks')
        .values({
          id: Buffer.alloc(32, i + 1),
          pack_id: pack,
          offset: 0,
          stored_length: 10,
          plain_length: 10,
          refcount: 1,
        })
        .execute();
    }
    const first = await replicator.stage(packs, 100);
    const journal = new SqliteJournal(db);
    assert.equal(first.covers, await journal.latestSeq(), 'with both packs, everything may go');
    // The store refused it and dropped what was staged; the retry carries only the first pack.
    replicator.abandon();
    const retry = await replicator.stage([packs[0]!], 100);
    const chunkOfSecond = await db
      .selectFrom('meta_journal')
      .select('seq')
      .where('tbl', '=', 'chunks')
      .where('pack', '=', packs[1]!)
      .executeTakeFirstOrThrow();
    assert.ok(retry.covers < chunkOfSecond.seq, 'the chunk in the second pack waits for it');
  });

  test('a long backlog leaves in several segments; covers stops where the segment does', async () => {
    const { db } = await replicationRig('races-cap');
    for (let i = 0; i < 5; i++)
      await db
        .insertInto('settings')
        .values({ key: `k${i}`, value: 'v' })
        .execute();
    const journal = new SqliteJournal(db);
    const { cut, covers } = await journal.cut([], 2);
    assert.equal(cut!.lines.length, 2);
    assert.equal(covers, cut!.to);
    assert.ok(covers < (await journal.latestSeq()));
  });

  test('no journal segment goes to the store before a snapshot does', async () => {
    const { db, open } = await replicationRig('races-first');
    await db.insertInto('settings').values({ key: 'before', value: 'v' }).execute();
    const replicator = await open();
    const alone = await replicator.stage([], 100);
    assert.equal(alone.operations, 0);
    assert.equal(alone.covers, 0);
    await replicator.snapshotNow();
    const withSnapshot = await replicator.stage([], 100);
    assert.equal(withSnapshot.operations, 2, 'the segment and the snapshot go together');
  });
});

describe('a pack that can never be committed', () => {
  test('a record with no file, no chunk and nothing in the store is forgotten at start-up, and holds nothing back', async () => {
    const env = {
      STORE: 'local',
      LOCAL_STORE_DIR: tempDir('races-lost-store'),
      DATA_DIR: tempDir('races-lost'),
    };
    const first = await buildApp(env);
    await first.close();
    const db = new SQLite(path.join(env.DATA_DIR, 'hubdrive.db'));
    const lost = db
      .prepare(
        `insert into packs (key, state, size, live_bytes, created_at) values ('packs/ff/gone.pack', 'sealed', 10, 0, 1) returning id`,
      )
      .pluck()
      .get() as number;
    db.close();
    const { app, admin, close } = await openDrive(env);
    assert.equal(
      await app.db.selectFrom('packs').select('id').where('id', '=', lost).executeTakeFirst(),
      undefined,
    );
    await app.drive.files.write(admin, '/after.bin', Readable.from([pseudoRandom(10_000, 1)]));
    await app.engine.flush();
    assert.equal((await app.replicator.status()).oldestPendingAt, null);
    await close();
  });
});

describe('the snapshot schedule', () => {
  test('a snapshot is taken every interval while something changed, and none while nothing did', async () => {
    const { db, open } = await replicationRig('races-schedule', 250);
    const replicator = await open();
    defer(() => replicator.close());
    replicator.start();
    const pending = async () => (await replicator.status()).pendingSnapshotSeq;
    const settled = async (what: string, ok: (seq: number | null) => boolean) => {
      await until(what, async () => ok(await pending()), 5_000, 50);
      return pending();
    };
    // The store has none: one at once.
    const first = await settled('a first snapshot', (seq) => seq !== null);
    await db.insertInto('settings').values({ key: 'changed', value: '1' }).execute();
    const second = await settled('a second snapshot', (seq) => seq !== null && seq > first!);
    assert.ok(second! > first!, `${second} after ${first}`);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(await pending(), second, 'nothing changed: no new snapshot');
  });
});
