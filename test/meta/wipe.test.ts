import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { hubEnv, startHub } from '../helpers/hub.js';
import { startServerProcess } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';
import { assertFilesRead, dumpDatabase, PASSWORD, populate, waitSettled } from './wipe-support.js';

interface Store {
  name: string;
  env(): Promise<Record<string, string>>;
}

const stores: Store[] = [
  { name: 'the local store', env: async () => ({ STORE: 'local', LOCAL_STORE_DIR: tempDir('wipe-store') }) },
  {
    name: 'the Hub emulator',
    env: async () => hubEnv(await startHub(), `emulator/wipe-${Math.random().toString(36).slice(2, 8)}`),
  },
];

for (const store of stores) {
  describe(`a wiped DATA_DIR on ${store.name}`, () => {
    test('after the flush and kill -9, start-up restores everything from the store', async () => {
      const dataDir = tempDir('wipe-data');
      const env = { ...(await store.env()), DATA_DIR: dataDir, SYS_TOKEN: PASSWORD, FLUSH_INTERVAL: '2' };
      const server = await startServerProcess(env);
      const live = await populate(server.url);
      const before = await waitSettled(server.url, path.join(dataDir, 'hubdrive.db'));
      assert.equal((await server.stop('SIGKILL')).signal, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });

      const again = await startServerProcess(env);
      assert.match(again.log(), /metadata restored from the store/);
      assert.deepEqual(dumpDatabase(path.join(dataDir, 'hubdrive.db')), before);
      await assertFilesRead(again.url, live);
      await again.stop('SIGTERM');
    });

    test('after a SIGTERM with no wait, start-up restores everything from the store', async () => {
      const dataDir = tempDir('wipe-data');
      // A long flush window: only the shutdown sends the last writes and metadata.
      const env = { ...(await store.env()), DATA_DIR: dataDir, SYS_TOKEN: PASSWORD, FLUSH_INTERVAL: '3600' };
      const server = await startServerProcess(env);
      const live = await populate(server.url);
      assert.equal((await server.stop('SIGTERM')).code, 0, server.log());
      const before = dumpDatabase(path.join(dataDir, 'hubdrive.db'));
      rmSync(dataDir, { recursive: true, force: true });

      const again = await startServerProcess(env);
      assert.match(again.log(), /metadata restored from the store/);
      assert.deepEqual(dumpDatabase(path.join(dataDir, 'hubdrive.db')), before);
      await assertFilesRead(again.url, live);
      await again.stop('SIGTERM');
    });
  });
}
