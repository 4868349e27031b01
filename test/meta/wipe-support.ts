import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';

export const PASSWORD = 'admin-password-1';

/** A file the test wrote, by the seed and size of its content. */
export interface Written {
  seed: number;
  size: number;
  owner: 'admin' | 'bob';
}

/** Tables that stay on the machine, or describe replication itself. */
const LOCAL = new Set(['sessions', 'meta_journal', 'replication_state', 'sqlite_sequence']);

/**
 * Every replicated table, rows in key order. A pack's committed_at is when this machine learnt of the
 * commit (a restore learns it anew).
 */
export function dumpDatabase(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare(
        `select name from sqlite_master where type = 'table' and name not like 'kysely_%' order by name`,
      )
      .pluck()
      .all() as string[];
    const out: Record<string, unknown[]> = {};
    for (const table of tables) {
      if (LOCAL.has(table)) continue;
      const keys = (
        db
          .prepare(`select name from pragma_table_info(?) where pk > 0 order by pk`)
          .pluck()
          .all(table) as string[]
      )
        .map((k) => `"${k}"`)
        .join(', ');
      const rows = db.prepare(`select * from "${table}" order by ${keys}`).all() as Record<string, unknown>[];
      out[table] = table === 'packs' ? rows.map(({ committed_at: _, ...rest }) => rest) : rows;
    }
    return out;
  } finally {
    db.close();
  }
}

async function uploadAll(client: ApiClient, files: [string, Written][], concurrency = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) {
        const [path, f] = files[next++]!;
        const response = await client.upload(path, pseudoRandom(f.size, f.seed));
        assert.equal(response.status, 201, `${path}: ${JSON.stringify(response.body)}`);
      }
    }),
  );
}

async function ok(response: Promise<{ status: number; body: unknown }>, what: string): Promise<unknown> {
  const r = await response;
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Uploads 1,000 files, then renames, moves, overwrites, deletes (to the trash) and shares some of
 * them, adds a user with files of their own and two app passwords. Returns the live files.
 */
export async function populate(url: string): Promise<Map<string, Written>> {
  const admin = await ApiClient.login(url, 'admin', PASSWORD);
  const live = new Map<string, Written>();
  for (let d = 0; d < 10; d++)
    await ok(admin.post('/fs/mkdir', { path: `/a/d${d}`, parents: true }), 'mkdir');
  await ok(admin.post('/fs/mkdir', { path: '/b' }), 'mkdir');
  for (let i = 0; i < 1000; i++) {
    // Mostly small files, every 50th up to a MiB: many share packs, some cross chunk borders.
    const size = i % 50 === 0 ? 300_000 + ((i * 7919) % 700_000) : 1 + ((i * 104_729) % 20_000);
    live.set(`/a/d${i % 10}/f${i}.bin`, { seed: i, size, owner: 'admin' });
  }
  await uploadAll(admin, [...live]);
  const take = (dir: number, n: number) =>
    [...live.keys()].filter((p) => p.startsWith(`/a/d${dir}/`)).slice(0, n);
  for (const from of take(0, 20)) {
    const to = from.replace('/f', '/renamed-');
    await ok(admin.post('/fs/move', { from, to }), 'rename');
    live.set(to, live.get(from)!);
    live.delete(from);
  }
  for (const from of take(1, 20)) {
    const to = `/b/${from.split('/').at(-1)!}`;
    await ok(admin.post('/fs/move', { from, to }), 'move');
    live.set(to, live.get(from)!);
    live.delete(from);
  }
  for (const path of take(2, 50)) {
    await ok(admin.post('/fs/delete', { path }), 'delete');
    live.delete(path);
  }
  for (const [n, path] of take(3, 10).entries()) {
    const next = { seed: 5000 + n, size: 4000 + n, owner: 'admin' as const };
    assert.equal((await admin.upload(path, pseudoRandom(next.size, next.seed))).status, 200);
    live.set(path, next);
  }
  await ok(admin.post('/fs/copy', { from: '/a/d4', to: '/copy-of-d4' }), 'copy');
  for (const [path, f] of [...live].filter(([p]) => p.startsWith('/a/d4/'))) {
    live.set(path.replace('/a/d4/', '/copy-of-d4/'), f);
  }
  await ok(admin.post('/app-passwords', { label: 'rclone' }), 'app password');
  await ok(admin.post('/app-passwords', { label: 'phone', readOnly: true, root: '/b' }), 'app password');
  await ok(admin.post('/admin/users', { username: 'bob', password: 'bob-password-1' }), 'user');
  const bob = await ApiClient.login(url, 'bob', 'bob-password-1');
  for (let i = 0; i < 3; i++) {
    const f = { seed: 9000 + i, size: 10_000 * (i + 1), owner: 'bob' as const };
    assert.equal((await bob.upload(`/bob-${i}.bin`, pseudoRandom(f.size, f.seed))).status, 201);
    live.set(`/bob-${i}.bin`, f);
  }
  await shareSome(admin, [...live.keys()].filter((p) => p.startsWith('/b/')).slice(0, 3));
  return live;
}

/** Share links of a few files (one with a password) and of a folder. */
async function shareSome(admin: ApiClient, files: string[]): Promise<void> {
  for (const [i, path] of files.entries()) {
    await ok(admin.post('/shares', { path, ...(i === 0 ? { password: 'share-password' } : {}) }), 'share');
  }
  await ok(admin.post('/shares', { path: '/b', maxDownloads: 10 }), 'share');
}

interface StoreStatus {
  pendingBytes: number;
  replication: { oldestPendingAt: number | null } | null;
}

/** Waits until the server has everything in the store, and nothing changes any more; returns the dump. */
export async function waitSettled(url: string, dbFile: string): Promise<Record<string, unknown[]>> {
  const admin = await ApiClient.login(url, 'admin', PASSWORD);
  for (;;) {
    const status = (await admin.get<StoreStatus>('/admin/store')).body;
    if (status.pendingBytes === 0 && status.replication?.oldestPendingAt === null) {
      const first = dumpDatabase(dbFile);
      await sleep(1500);
      const again = (await admin.get<StoreStatus>('/admin/store')).body;
      const second = dumpDatabase(dbFile);
      if (again.pendingBytes === 0 && again.replication?.oldestPendingAt === null) {
        try {
          assert.deepEqual(second, first);
          return second;
        } catch {
          // Something moved meanwhile (a repack): look again.
        }
      }
    }
    await sleep(200);
  }
}

/** Reads every live file back over HTTP, as its owner. */
export async function assertFilesRead(url: string, live: Map<string, Written>): Promise<void> {
  const clients = {
    admin: await ApiClient.login(url, 'admin', PASSWORD),
    bob: await ApiClient.login(url, 'bob', 'bob-password-1'),
  };
  const entries = [...live];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < entries.length) {
        const [path, f] = entries[next++]!;
        const got = await clients[f.owner].download(path);
        assert.equal(got.status, 200, `${path}: ${got.status}`);
        assert.ok(got.bytes.equals(pseudoRandom(f.size, f.seed)), `${path} differs after the restore`);
      }
    }),
  );
}
