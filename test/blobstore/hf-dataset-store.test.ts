import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HfDatasetStore } from '../../src/blobstore/hf/hf-dataset-store.js';
import { StoreInitError } from '../../src/blobstore/hf/startup-checks.js';
import type { HubEmulator } from '../../src/hub-emulator/index.js';
import { pseudoRandom } from '../helpers/data.js';
import { HUB_TOKEN, hubStore, quietLogger, startHub } from '../helpers/hub.js';
import { bytesSource, listAll, readAll, runStoreConformance } from './conformance.js';

let shared: Promise<HubEmulator> | null = null;
/** One emulator for the conformance suite, started by its first test. */
function hub(): Promise<HubEmulator> {
  shared ??= startHub();
  return shared;
}

runStoreConformance('HfDatasetStore on the Hub emulator', async (options) => {
  const { store, open } = await hubStore(await hub(), { limits: options?.limits });
  return { store, reopen: open };
});

describe('HfDatasetStore against a harsh Hub', () => {
  test('puts, a commit and reads succeed byte-exact while 30% of requests fail or reset', async () => {
    const emulator = await startHub({ multipartThreshold: 4 * 1024 * 1024, multipartChunkSize: 1024 * 1024 });
    const { store } = await hubStore(emulator);
    emulator.setFaults({ errorRate: 0.2, errorStatuses: [429, 500, 503], resetRate: 0.1, seed: 7 });
    const objects = new Map<string, Buffer>();
    for (let i = 0; i < 6; i++) {
      const data = pseudoRandom(i % 2 === 0 ? 6 * 1024 * 1024 + i : 300_000 + i, 40 + i);
      objects.set(`packs/0${i}/object-${i}.pack`, data);
      await store.put(`packs/0${i}/object-${i}.pack`, bytesSource(data));
    }
    await store.commit('faulty commit');
    for (const [key, data] of objects) {
      assert.ok((await readAll(await store.get(key))).equals(data), `${key} differs`);
      const target = Buffer.alloc(1000);
      await store.readInto!(key, data.length - 1000, target);
      assert.ok(target.equals(data.subarray(data.length - 1000)));
    }
    emulator.setFaults({});
    assert.equal((await listAll(store, 'packs/')).length, 6);
  });

  test('a commit whose answer is lost is found on the branch, not made twice', async () => {
    const emulator = await startHub();
    const { store, repo } = await hubStore(emulator);
    const before = (await emulator.stats(repo)).commits;
    await store.put('a/one.bin', bytesSource(pseudoRandom(100_000, 1)));
    emulator.setFaults({ loseCommitResponses: 1 });
    await store.commit('lost answer');
    emulator.setFaults({});
    assert.equal((await emulator.stats(repo)).commits, before + 1);
    await store.put('a/two.bin', bytesSource(pseudoRandom(100_000, 2)));
    await store.commit('next');
    assert.deepEqual(
      (await listAll(store, 'a/')).map((o) => o.key),
      ['a/one.bin', 'a/two.bin'],
    );
  });
});

describe('HfDatasetStore start-up checks', () => {
  const open = (emulator: HubEmulator, overrides: { token?: string; repo?: string; createRepo?: boolean }) =>
    HfDatasetStore.open({
      hubUrl: emulator.url,
      token: overrides.token ?? HUB_TOKEN,
      repo: overrides.repo ?? 'emulator/missing',
      createRepo: overrides.createRepo ?? false,
      commitsPerHour: 100,
      logger: quietLogger,
    });

  test('a token the Hub does not know stops start-up, naming the reason', async () => {
    const emulator = await hub();
    await assert.rejects(open(emulator, { token: 'hf_unknown' }), (error: unknown) => {
      assert.ok(error instanceof StoreInitError);
      assert.match(error.message, /^Failed to initialize Datasets storage: the Hub refused HF_TOKEN \(401\)/);
      return true;
    });
  });

  test('a read-only token stops start-up', async () => {
    const emulator = await startHub({ tokens: [{ token: 'hf_reader', role: 'read', user: 'emulator' }] });
    await assert.rejects(
      open(emulator, { token: 'hf_reader' }),
      /Failed to initialize Datasets storage: HF_TOKEN can only read/,
    );
  });

  test('a missing repo stops start-up, unless HF_CREATE_REPO lets it be created private', async () => {
    const emulator = await hub();
    await assert.rejects(open(emulator, { repo: 'emulator/nope' }), /does not exist.*HF_CREATE_REPO=1/);
    const store = await open(emulator, { repo: 'emulator/created', createRepo: true });
    await store.close();
    const info = await fetch(`${emulator.url}/api/datasets/emulator/created`, {
      headers: { Authorization: `Bearer ${HUB_TOKEN}` },
    });
    assert.equal(info.status, 200);
    assert.equal(((await info.json()) as { private: boolean }).private, true);
  });
});
