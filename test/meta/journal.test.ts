import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { openDatabase, type Database } from '../../src/meta/database.js';
import { SqliteJournal } from '../../src/meta/journal.js';
import { JournalReplay } from '../../src/meta/replay.js';
import { decodeSegment, encodeSegment } from '../../src/meta/segment-format.js';
import { defer } from '../helpers/cleanup.js';
import { tempDir } from '../helpers/temp.js';

async function journaled(): Promise<{ db: Database; file: string; journal: SqliteJournal }> {
  const file = path.join(tempDir('journal'), 'hubdrive.db');
  const db = await openDatabase(file);
  defer(() => db.destroy());
  return { db, file, journal: new SqliteJournal(db) };
}

async function addUser(db: Database, name: string): Promise<number> {
  const now = Date.now();
  const row = await db
    .insertInto('users')
    .values({
      username: name,
      password_hash: 'x',
      role: 'user',
      disabled: 0,
      used_bytes: 0,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function openPack(db: Database): Promise<number> {
  const row = await db
    .insertInto('packs')
    .values({ state: 'open', size: 0, live_bytes: 0, created_at: Date.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function addChunk(db: Database, packId: number, id: Buffer): Promise<void> {
  await db
    .insertInto('chunks')
    .values({ id, pack_id: packId, offset: 0, stored_length: 10, plain_length: 10, refcount: 1 })
    .execute();
}

describe('the metadata journal', () => {
  test('logs inserts, updates and deletes of replicated tables, never sign-ins', async () => {
    const { db, journal } = await journaled();
    const id = await addUser(db, 'carol');
    await db.updateTable('users').set({ quota_bytes: 1000 }).where('id', '=', id).execute();
    await db
      .insertInto('sessions')
      .values({ id: 'h', user_id: id, csrf_token: 'c', created_at: 1, expires_at: 2, last_seen_at: 1 })
      .execute();
    await db.deleteFrom('users').where('id', '=', id).execute();
    const { cut } = await journal.cut([]);
    const entries = cut!.lines.map(
      (l) => JSON.parse(l) as { t: string; o: string; k: unknown; r: { quota_bytes?: number } },
    );
    assert.deepEqual(
      entries.map((e) => [e.t, e.o]),
      [
        ['users', 'u'],
        ['users', 'u'],
        ['users', 'd'],
      ],
      'the session insert (and its cascade) is not logged',
    );
    assert.equal(entries[1]!.r.quota_bytes, 1000);
    assert.deepEqual(entries[2]!.k, { id });
  });

  test('a change naming a pack waits until that pack (and every older one) is committed; later ones wait with it', async () => {
    const { db, journal } = await journaled();
    await addUser(db, 'dave');
    const pack = await openPack(db);
    await addChunk(db, pack, Buffer.alloc(32, 1));
    await addUser(db, 'erin');
    const blocked = await journal.cut([]);
    // The user and the pack row may leave; the chunk, and erin after it, wait for the pack.
    assert.deepEqual(
      blocked.cut!.lines.map((l) => (JSON.parse(l) as { t: string }).t),
      ['users', 'packs'],
    );
    const withPack = await journal.cut([pack]);
    assert.deepEqual(
      withPack.cut!.lines.map((l) => (JSON.parse(l) as { t: string }).t),
      ['users', 'packs', 'chunks', 'users'],
    );
    assert.equal(withPack.covers, await journal.latestSeq());
    assert.equal(blocked.covers, withPack.covers - 2);
  });

  test('bookkeeping (a pack changing state) rides along but never asks for a commit', async () => {
    const { db, journal } = await journaled();
    const pack = await openPack(db);
    await journal.markShipped((await journal.cut([])).cut!.to);
    await db.updateTable('packs').set({ state: 'committed' }).where('id', '=', pack).execute();
    assert.equal(await journal.waitingSince(false), null);
    assert.notEqual(await journal.waitingSince(true), null);
  });

  test('a segment replayed onto the snapshot it follows gives the same rows, bytes included', async () => {
    const { db, file, journal } = await journaled();
    const base = path.join(tempDir('journal-copy'), 'base.db');
    const copy = new SQLite(file, { readonly: true });
    await copy.backup(base);
    copy.close();
    const pack = await openPack(db);
    await db.updateTable('packs').set({ state: 'committed', key: 'k' }).where('id', '=', pack).execute();
    await addChunk(db, pack, Buffer.from('00ff'.repeat(16), 'hex'));
    await db.updateTable('chunks').set({ refcount: 3 }).execute();
    const { cut } = await journal.cut([]);
    const { entries } = await decodeSegment('test', await encodeSegment(cut!, 'x'));
    const target = new SQLite(base);
    defer(() => target.close());
    target.pragma('foreign_keys = OFF');
    for (const t of target
      .prepare(`select name from sqlite_master where type = 'trigger'`)
      .pluck()
      .all() as string[])
      target.exec(`drop trigger "${t}"`);
    const replay = new JournalReplay(target, 0);
    replay.apply(entries);
    replay.apply(entries); // a second, overlapping copy changes nothing
    const live = new SQLite(file, { readonly: true });
    defer(() => live.close());
    for (const table of ['packs', 'chunks']) {
      assert.deepEqual(
        target.prepare(`select * from ${table} order by 1`).all(),
        live.prepare(`select * from ${table} order by 1`).all(),
      );
    }
    assert.equal(replay.changes, entries.length);
  });
});

describe('lazy columns', () => {
  test("a share's download count alone is bookkeeping; any other change to it is not", async () => {
    const { db, journal } = await journaled();
    const user = await addUser(db, 'frank');
    const now = Date.now();
    const node = await db
      .insertInto('nodes')
      .values({
        owner_id: user,
        parent_id: null,
        name: 'f',
        kind: 'file',
        size: 0,
        created_at: now,
        modified_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const share = await db
      .insertInto('shares')
      .values({ user_id: user, node_id: node.id, token_hash: 'h', downloads: 0, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await journal.markShipped((await journal.cut([])).cut!.to);
    await db.updateTable('shares').set({ downloads: 1 }).where('id', '=', share.id).execute();
    assert.equal(await journal.waitingSince(false), null);
    await db
      .updateTable('shares')
      .set({ expires_at: now + 1000 })
      .where('id', '=', share.id)
      .execute();
    assert.notEqual(await journal.waitingSince(false), null);
  });
});

describe('byte columns', () => {
  test("an update that leaves a manifest's chunk list alone does not log it again; replay still restores it", async () => {
    const { db, file, journal } = await journaled();
    const base = path.join(tempDir('journal-copy'), 'base.db');
    const copy = new SQLite(file, { readonly: true });
    await copy.backup(base);
    copy.close();
    const chunks = Buffer.alloc(36 * 1000, 7);
    const manifest = await db
      .insertInto('manifests')
      .values({ content_hash: 'c', size: 1, chunk_count: 1000, chunks, refcount: 1, created_at: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.updateTable('manifests').set({ refcount: 2 }).where('id', '=', manifest.id).execute();
    const { cut } = await journal.cut([]);
    const [insert, update] = cut!.lines;
    assert.ok(insert!.length > chunks.length * 2, 'the insert carries the chunk list');
    assert.ok(update!.length < 300, `the update is small (${update!.length} characters)`);
    const target = new SQLite(base);
    defer(() => target.close());
    for (const t of target
      .prepare(`select name from sqlite_master where type = 'trigger'`)
      .pluck()
      .all() as string[])
      target.exec(`drop trigger "${t}"`);
    new JournalReplay(target, 0).apply((await decodeSegment('t', await encodeSegment(cut!, 'x'))).entries);
    const row = target.prepare('select refcount, chunks from manifests').get() as {
      refcount: number;
      chunks: Buffer;
    };
    assert.equal(row.refcount, 2);
    assert.ok(row.chunks.equals(chunks));
  });
});
