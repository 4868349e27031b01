import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { HfDatasetStore } from '../../src/blobstore/hf/hf-dataset-store.js';
import { LocalStore } from '../../src/blobstore/local-store.js';
import type { BlobStore } from '../../src/blobstore/blob-store.js';
import { ApiClient } from '../helpers/client.js';
import { HUB_TOKEN, hubEnv, quietLogger, startHub } from '../helpers/hub.js';
import { startRclone } from '../helpers/rclone-webdav.js';
import { startServerProcess, freePort } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';
import { until } from '../helpers/wait.js';
import { assertFilesRead, dumpDatabase, PASSWORD, populate } from './wipe-support.js';

const USER = 'guide-user';
const DAV_PASSWORD = 'guide-pass-9x';

/** Removes every metadata object from the store: the WebDAV copy is all that is left. */
async function dropStoreMetadata(store: BlobStore): Promise<number> {
  const keys: string[] = [];
  for await (const { key } of store.list('meta/')) keys.push(key);
  await store.delete(keys);
  await store.commit('test: drop the metadata');
  await store.close();
  return keys.length;
}

interface Store {
  name: string;
  setup(): Promise<{ env: Record<string, string>; open(): Promise<BlobStore> }>;
}

const stores: Store[] = [
  {
    name: 'the local store',
    async setup() {
      const dir = tempDir('wipe-store');
      return { env: { STORE: 'local', LOCAL_STORE_DIR: dir }, open: () => LocalStore.open({ dir }) };
    },
  },
  {
    name: 'the Hub emulator',
    async setup() {
      const hub = await startHub();
      const repo = `emulator/wipe-dav-${Math.random().toString(36).slice(2, 8)}`;
      return {
        env: hubEnv(hub, repo),
        open: () =>
          HfDatasetStore.open({
            hubUrl: hub.url,
            token: HUB_TOKEN,
            repo,
            createRepo: false,
            commitsPerHour: 1000,
            logger: quietLogger,
          }),
      };
    },
  },
];

for (const store of stores) {
  describe(`the WebDAV copy as the only metadata source, on ${store.name}`, () => {
    test('after a SIGTERM, the store losing its metadata and a wiped DATA_DIR, start-up restores from WEBDAV_URL', async () => {
      const davRoot = tempDir('wipe-dav');
      const dav = await startRclone(davRoot, { user: USER, password: DAV_PASSWORD });
      const dataDir = tempDir('wipe-data');
      const { env: storeEnv, open } = await store.setup();
      const env = {
        ...storeEnv,
        DATA_DIR: dataDir,
        SYS_TOKEN: PASSWORD,
        FLUSH_INTERVAL: '3600',
        WEBDAV_URL: `${dav.url}backups/hubdrive`,
        WEBDAV_USERNAME: USER,
        WEBDAV_PASSWORD: DAV_PASSWORD,
      };
      const server = await startServerProcess(env);
      const live = await populate(server.url);
      assert.equal((await server.stop('SIGTERM')).code, 0, server.log());
      const before = dumpDatabase(path.join(dataDir, 'hubdrive.db'));
      const copies = readdirSync(path.join(davRoot, 'backups/hubdrive'));
      assert.ok(copies.length >= 1 && copies.length <= 5, `copies: ${copies.join(', ')}`);
      assert.ok((await dropStoreMetadata(await open())) > 0);
      rmSync(dataDir, { recursive: true, force: true });

      const again = await startServerProcess(env);
      assert.match(again.log(), /"source":"webdav"/);
      assert.deepEqual(dumpDatabase(path.join(dataDir, 'hubdrive.db')), before);
      await assertFilesRead(again.url, live);
      await again.stop('SIGTERM');
    });
  });
}

describe('a WebDAV backup server that fails', () => {
  for (const failure of ['is down', 'refuses the password'] as const) {
    test(`one that ${failure} does not stop the drive: it is logged and shown to the admin`, async () => {
      const url =
        failure === 'is down'
          ? `http://127.0.0.1:${await freePort()}/backup/`
          : `${(await startRclone(tempDir('wipe-dav'), { user: USER, password: DAV_PASSWORD })).url}backup/`;
      const env = {
        STORE: 'local',
        LOCAL_STORE_DIR: tempDir('wipe-store'),
        DATA_DIR: tempDir('wipe-data'),
        SYS_TOKEN: PASSWORD,
        FLUSH_INTERVAL: '1',
        WEBDAV_URL: url,
        WEBDAV_USERNAME: USER,
        WEBDAV_PASSWORD: 'not-the-password',
      };
      const server = await startServerProcess(env);
      const admin = await ApiClient.login(server.url, 'admin', PASSWORD);
      assert.equal((await admin.upload('/still-works.txt', 'hello')).status, 201);
      // The first snapshot goes to the store at once, then to the backup, which fails.
      type Backup = { lastError: string | null; url: string } | null;
      let backup = null as Backup;
      await until(
        'the backup to fail',
        async () => {
          const status = await admin.get<{ replication: { backup: Backup } }>('/admin/store');
          backup = status.body.replication.backup;
          return Boolean(backup?.lastError);
        },
        10_000,
      );
      const expected =
        failure === 'is down'
          ? /could not reach WEBDAV_URL/
          : /refused WEBDAV_USERNAME\/WEBDAV_PASSWORD \(401\)/;
      assert.match(backup?.lastError ?? '', expected);
      assert.match(server.log(), expected);
      assert.doesNotMatch(server.log(), /not-the-password/);
      assert.equal((await admin.download('/still-works.txt')).bytes.toString(), 'hello');
      assert.equal((await server.stop('SIGTERM')).code, 0, server.log());
    });
  }
});
