import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Hubdrive } from '../../src/app/hubdrive.js';
import { crashEnv, openCrashDrive } from '../fixtures/crash-drive.js';
import { defer } from '../helpers/cleanup.js';
import { pseudoRandom } from '../helpers/data.js';
import { readAll } from '../helpers/drive.js';
import { tempDir } from '../helpers/temp.js';

const WRITER = path.resolve('test/fixtures/crash-writer.ts');

function runWriter(
  dataDir: string,
  crashAt: string,
): { acked: { path: string; seed: number; size: number }[] } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', WRITER, dataDir, crashAt], {
    encoding: 'utf8',
  });
  assert.equal(
    child.signal,
    'SIGKILL',
    `the writer should die by SIGKILL; stdout=${child.stdout} stderr=${child.stderr}`,
  );
  const acked = child.stdout
    .split('\n')
    .filter((line) => line.startsWith('ACK '))
    .map((line) => {
      const [, p, seed, size] = line.split(' ');
      return { path: p!, seed: Number(seed), size: Number(size) };
    });
  assert.equal(acked.length, 2, 'both files were acknowledged before the crash');
  return { acked };
}

/** Invariant 1: every chunk that metadata refers to lives in a committed pack in the store or in staging. */
async function assertNoDanglingReferences(app: Hubdrive, dataDir: string): Promise<void> {
  const packs = await app.db.selectFrom('packs').selectAll().execute();
  const referenced = await app.db.selectFrom('chunks').select('pack_id').distinct().execute();
  for (const { pack_id } of referenced) {
    const pack = packs.find((p) => p.id === pack_id);
    assert.ok(pack, `chunks point at pack ${pack_id}, which has no record`);
    if (pack.state === 'committed') {
      assert.ok(await app.store.stat(pack.key!), `committed pack ${pack.key} is missing from the store`);
    } else {
      assert.ok(
        existsSync(path.join(dataDir, 'staging', `${pack.id}.pack`)),
        `pack ${pack.id} is missing from staging`,
      );
    }
  }
}

describe('crash safety', () => {
  for (const crashAt of ['mid-upload', 'no-flush', 'after-put', 'before-commit', 'after-commit']) {
    test(`killed (${crashAt}): acknowledged files survive and nothing points at a missing pack`, async () => {
      const dataDir = tempDir('hubdrive-crash');
      const { acked } = runWriter(dataDir, crashAt);

      const { app, admin } = await openCrashDrive(crashEnv(dataDir));
      defer(() => app.close());
      await assertNoDanglingReferences(app, dataDir);
      for (const file of acked) {
        const got = await readAll((await app.drive.files.open(admin, file.path)).stream());
        assert.ok(got.equals(pseudoRandom(file.size, file.seed)), `${file.path} differs after the restart`);
      }
      const listing = await app.drive.tree.list(admin, '/');
      assert.deepEqual(
        listing.entries.map((e) => e.path).sort(),
        acked.map((f) => f.path).sort(),
        'only acknowledged files exist',
      );

      await app.engine.flush();
      const unfinished = await app.db
        .selectFrom('packs')
        .select('id')
        .where('state', '!=', 'committed')
        .execute();
      assert.deepEqual(unfinished, [], 'the restart finished every pack');
      await assertNoDanglingReferences(app, dataDir);
      for (const file of acked) {
        const got = await readAll((await app.drive.files.open(admin, file.path)).stream());
        assert.ok(got.equals(pseudoRandom(file.size, file.seed)));
      }
    });
  }
});
