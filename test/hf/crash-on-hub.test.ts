import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openCrashDrive } from '../fixtures/crash-drive.js';
import { defer } from '../helpers/cleanup.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { readAll } from '../helpers/drive.js';
import { HfDatasetStore } from '../../src/blobstore/hf/hf-dataset-store.js';
import { HUB_TOKEN, hubEnv, quietLogger, startHub } from '../helpers/hub.js';
import { startServerProcess } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';

describe('crashes and shutdown on the Hub', () => {
  test('killed with -9 mid-upload: after the restart every acknowledged file reaches the repo', async () => {
    const hub = await startHub();
    const dataDir = tempDir('hub-crash');
    // The child runs its own event loop; the emulator in this process must keep answering meanwhile.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/hub-writer.ts', dataDir, hub.url, 'emulator/crash'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, s) => resolve(s)),
    );
    assert.equal(signal, 'SIGKILL', stdout);
    const acked = stdout
      .split('\n')
      .filter((l) => l.startsWith('ACK '))
      .map((l) => {
        const [, p, seed, size] = l.split(' ');
        return { path: p!, seed: Number(seed), size: Number(size) };
      });
    assert.equal(acked.length, 3);

    const { app, admin } = await openCrashDrive({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      SYS_TOKEN: 'admin-password-1',
      ...hubEnv(hub, 'emulator/crash'),
    });
    defer(() => app.close());
    await app.engine.flush();
    for (const file of acked) {
      const got = await readAll((await app.drive.files.open(admin, file.path)).stream());
      assert.ok(got.equals(pseudoRandom(file.size, file.seed)), `${file.path} differs`);
    }
    // Nothing that metadata names is missing from the repo.
    const packs = await app.db.selectFrom('packs').selectAll().execute();
    for (const pack of packs) {
      assert.equal(pack.state, 'committed');
      assert.ok(await app.store.stat(pack.key!), `${pack.key} is not in the repo`);
    }
    assert.deepEqual(
      (await app.drive.tree.list(admin, '/')).entries.map((e) => e.path).sort(),
      acked.map((f) => f.path).sort(),
    );
  });

  test('SIGTERM with writes pending: all of them are in the repo before the process exits', async () => {
    const hub = await startHub();
    const dataDir = tempDir('hub-sigterm');
    const server = await startServerProcess({
      ...hubEnv(hub, 'emulator/sigterm'),
      DATA_DIR: dataDir,
      SYS_TOKEN: 'admin-password-1',
      FLUSH_INTERVAL: '3600',
    });
    const client = await ApiClient.login(server.url, 'admin', 'admin-password-1');
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await client.upload(`/pending-${i}.bin`, pseudoRandom(2_000_000 + i, 50 + i))).status,
        201,
      );
    }
    const { code } = await server.stop('SIGTERM');
    assert.equal(code, 0, server.log());
    const db = new Database(path.join(dataDir, 'hubdrive.db'), { readonly: true });
    const packs = db.prepare('select key, state from packs').all() as { key: string; state: string }[];
    db.close();
    assert.ok(packs.length > 0);
    const repo = await HfDatasetStore.open({
      hubUrl: hub.url,
      token: HUB_TOKEN,
      repo: 'emulator/sigterm',
      createRepo: false,
      commitsPerHour: 100,
      logger: quietLogger,
    });
    for (const pack of packs) {
      assert.equal(pack.state, 'committed');
      assert.ok(await repo.stat(pack.key), `${pack.key} is not in the repo`);
    }
  });
});
