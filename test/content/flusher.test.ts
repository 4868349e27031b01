import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { LocalStore } from '../../src/blobstore/local-store.js';
import { Flusher } from '../../src/content/flusher.js';
import type { Packer, SealedPack } from '../../src/content/packer.js';
import type { PackCatalog, PackRecord } from '../../src/content/ports.js';
import { bytesSource } from '../blobstore/conformance.js';
import { pseudoRandom } from '../helpers/data.js';
import { hookedStore } from '../helpers/repack.js';
import { tempDir } from '../helpers/temp.js';

/** A flusher over a real local store whose commits may carry `limit` operations, recording each one. */
async function setUp(limit: number) {
  const dir = tempDir();
  const inner = await LocalStore.open({
    dir: path.join(dir, 'store'),
    limits: { maxOperationsPerCommit: limit },
  });
  const commits: { puts: number; deletes: number }[] = [];
  const store = hookedStore(inner, {
    async commit(message) {
      const result = await inner.commit(message);
      commits.push({ puts: result.puts, deletes: result.deletes });
      return result;
    },
  });
  const records = new Map<number, PackRecord>();
  const catalog = {
    get: async (id: number) => records.get(id) ?? null,
    markStored: async (id: number) => void (records.get(id)!.state = 'stored'),
    markCommitted: async (ids: readonly number[]) => {
      for (const id of ids) records.get(id)!.state = 'committed';
    },
  } as unknown as PackCatalog;
  // Only what the flusher asks of the packer: nothing is ever open here.
  const packer = {
    openPack: null,
    unsealed: { bytes: 0, packs: 0, oldest: null },
    sealOpen: async () => undefined,
    release: () => undefined,
  } as unknown as Packer;
  const flusher = new Flusher({
    store,
    catalog,
    packer,
    flushIntervalMs: 10_000,
    logger: pino({ level: 'silent' }),
  });
  let next = 0;
  /** A sealed pack in staging, as the packer hands it over. */
  const pack = async (): Promise<SealedPack> => {
    const id = ++next;
    const data = pseudoRandom(1000 + id, id);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const file = path.join(dir, `pack-${id}`);
    await fs.writeFile(file, data);
    records.set(id, {
      id,
      state: 'sealed',
      key: `packs/${sha256}.pack`,
      size: data.length,
      createdAt: Date.now(),
    });
    return {
      id,
      key: `packs/${sha256}.pack`,
      sha256,
      size: data.length,
      path: file,
      createdAt: Date.now(),
      stored: false,
    };
  };
  return { inner, store, flusher, commits, pack };
}

describe('Flusher', () => {
  test('deletions share commits with a stream of packs: none waits for the queue to empty, none exceeds the limit', async () => {
    const { inner, flusher, commits, pack } = await setUp(4);
    const doomed: string[] = [];
    for (let i = 0; i < 6; i++) {
      doomed.push(`old/${i}.bin`);
      await inner.put(`old/${i}.bin`, bytesSource(pseudoRandom(100, 50 + i)));
    }
    await inner.commit('old objects');
    const packs = await Promise.all(Array.from({ length: 12 }, () => pack()));
    for (const p of packs.slice(0, 6)) flusher.enqueue(p);
    let deletedAt = -1;
    const deleted = flusher.deleteObjects(doomed).then(() => (deletedAt = commits.length));
    for (const p of packs.slice(6)) flusher.enqueue(p);
    await flusher.flush();
    await deleted;
    assert.ok(
      commits.every((c) => c.puts + c.deletes <= 4),
      `commits carried ${JSON.stringify(commits)}`,
    );
    assert.equal(
      commits.reduce((n, c) => n + c.deletes, 0),
      6,
    );
    assert.equal(
      commits.reduce((n, c) => n + c.puts, 0),
      12,
    );
    assert.ok(deletedAt < commits.length, `the deletions waited for every pack (${JSON.stringify(commits)})`);
    for (const key of doomed) assert.equal(await inner.stat(key), null);
    for (const p of packs) assert.ok(await inner.stat(p.key), `${p.key} is in the store`);
    await flusher.close();
  });
});
