import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pseudoRandom } from '../helpers/data.js';
import { hubStore, startHub } from '../helpers/hub.js';
import { bytesSource, readAll } from './conformance.js';

test('HfDatasetStore.reclaimHistory squashes the history: deleted objects stop counting, commits go on', async () => {
  const hub = await startHub();
  const { store, repo } = await hubStore(hub);
  const kept = pseudoRandom(2_000_000, 8800);
  const dropped = pseudoRandom(3_000_000, 8801);
  await store.put('packs/aa/kept.pack', bytesSource(kept));
  await store.put('packs/bb/dropped.pack', bytesSource(dropped));
  await store.commit('two');
  await store.delete(['packs/bb/dropped.pack']);
  await store.commit('one deleted');
  const before = (await store.usage()).usedBytes!;
  assert.ok(before >= kept.length + dropped.length, 'the history still holds the deleted object');

  await store.reclaimHistory();
  const after = (await store.usage()).usedBytes!;
  assert.equal(before - after, dropped.length);
  assert.equal((await hub.stats(repo)).commits, 1);
  assert.ok((await readAll(await store.get('packs/aa/kept.pack'))).equals(kept));

  // The next commit goes on top of the squashed one.
  const later = pseudoRandom(1_500_000, 8802);
  await store.put('packs/cc/later.pack', bytesSource(later));
  await store.commit('later');
  assert.equal((await hub.stats(repo)).commits, 2);
  assert.ok((await readAll(await store.get('packs/cc/later.pack'))).equals(later));
});
