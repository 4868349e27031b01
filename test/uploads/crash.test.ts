import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_PASSWORD } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { pseudoRandom } from '../helpers/data.js';
import { SMALL_CONTENT_ENV } from '../helpers/drive.js';
import { assertClean } from '../helpers/gc-scenario.js';
import { startServerProcess } from '../helpers/server-process.js';
import { tempDir } from '../helpers/temp.js';
import { until } from '../helpers/wait.js';
import { gatedSource, startTus, type Listed } from './support.js';

const MiB = 1024 * 1024;

/** Polls the upload list until the upload holds some bytes durably (a periodic checkpoint ran). */
async function untilCheckpointed(client: ApiClient): Promise<number> {
  let offset = 0;
  await until(
    'a checkpoint to be recorded',
    async () => {
      const { body } = await client.get<Listed>('/uploads');
      offset = body.uploads[0]?.offset ?? 0;
      return offset > 0;
    },
    30_000,
  );
  return offset;
}

test('a server killed with SIGKILL mid-upload restarts on the same DATA_DIR, and the upload resumes and ends byte-exact', async () => {
  const dataDir = tempDir('hubdrive-tus-crash');
  const env = {
    DATA_DIR: dataDir,
    SYS_TOKEN: ADMIN_PASSWORD,
    GC_INTERVAL: '0',
    ...SMALL_CONTENT_ENV,
  };
  const first = await startServerProcess(env);
  const client = await ApiClient.login(first.url, 'admin', ADMIN_PASSWORD);
  const data = pseudoRandom(50 * MiB, 777);
  // 40 MiB go out, then the request stays open without sending more, as a stalled link would.
  const source = gatedSource(data, 40 * MiB);
  const run = startTus(data, { client, metadata: { path: '/crash/big.bin' }, fileReader: source.fileReader });
  await source.reached;
  const checkpointed = await untilCheckpointed(client);
  const uploadPath = new URL(run.url()).pathname;
  assert.deepEqual(await first.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  await run.done.catch(() => undefined);
  source.open();

  const second = await startServerProcess(env);
  const again = await ApiClient.login(second.url, 'admin', ADMIN_PASSWORD);
  // What the killed server had recorded is there, and nothing is inconsistent (fsck counts the
  // upload's chunks as in use).
  await assertClean(again);
  const resumed = startTus(data, { client: again, uploadUrl: `${new URL(second.url).origin}${uploadPath}` });
  await resumed.done;
  const [head, patch] = resumed.exchanges;
  assert.equal(head?.method, 'HEAD');
  const offset = head.offset!;
  assert.ok(
    offset >= checkpointed,
    `the restart kept ${offset} bytes, fewer than the ${checkpointed} recorded`,
  );
  assert.ok(offset > 0 && offset <= 40 * MiB);
  assert.equal(patch?.method, 'PATCH');
  assert.equal(patch.sentOffset, offset);
  assert.equal(patch.offset, data.length);

  const got = await again.download('/crash/big.bin');
  assert.equal(got.status, 200);
  assert.ok(got.bytes.equals(data), 'the file is byte-exact');
  await assertClean(again, { verify: true });
  await second.stop('SIGTERM');
});
