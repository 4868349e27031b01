import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createRepo, listFiles, uploadFiles } from '@huggingface/hub';
import {
  REPO,
  TOKEN,
  bearer,
  dataset,
  header,
  headOf,
  inlineFile,
  lfsBatch,
  rawCommit,
  startEmulator,
  type LfsObjectReply,
} from './support.js';

const accessToken = TOKEN;
const repo = dataset();
const { hubUrl, emulator } = await startEmulator();
await createRepo({ hubUrl, accessToken, repo });
const text = Buffer.from('0123456789abcdef\n'.repeat(64 * 1024)); // ~1 MiB of text: a regular file
await uploadFiles({ hubUrl, accessToken, repo, files: [{ path: 'text.txt', content: new Blob([text]) }] });

const whoami = () => fetch(`${hubUrl}/api/whoami-v2`, { headers: bearer() });

/** Reads a response body to its end or its failure; says how many bytes came. */
async function drain(response: Response): Promise<{ bytes: number; failed: boolean }> {
  let bytes = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) bytes += chunk.length;
    return { bytes, failed: false };
  } catch {
    return { bytes, failed: true };
  }
}

test('with errorRate 1, requests get the configured statuses with Retry-After, and nothing is applied', async (t) => {
  t.after(() => emulator.setFaults({}));
  emulator.setFaults({ errorRate: 1, errorStatuses: [429, 503], retryAfterSeconds: 2 });
  const statuses = new Set<number>();
  for (let i = 0; i < 20; i++) {
    const response = await whoami();
    statuses.add(response.status);
    assert.equal(response.headers.get('retry-after'), '2');
    if (response.status === 429) assert.equal(response.headers.get('ratelimit'), '"api";r=0;t=2');
    await response.arrayBuffer();
  }
  assert.deepEqual([...statuses].sort(), [429, 503]);
  const head = (await emulator.stats(REPO)).commits;
  const refused = await rawCommit(hubUrl, [header('during an outage'), inlineFile('outage.txt', 'x')]);
  assert.ok([429, 503].includes(refused.status));
  emulator.setFaults({});
  assert.equal((await emulator.stats(REPO)).commits, head);
});

test('a seed gives the same faults again, mixed with successes', async (t) => {
  t.after(() => emulator.setFaults({}));
  const run = async () => {
    emulator.setFaults({ errorRate: 0.3, seed: 42 });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const response = await whoami();
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    return statuses;
  };
  const first = await run();
  assert.deepEqual(await run(), first);
  assert.ok(first.includes(200));
  assert.ok(first.some((s) => [429, 500, 503].includes(s)));
});

test('a reset cuts a download in the middle of its body', async (t) => {
  t.after(() => emulator.setFaults({}));
  emulator.setFaults({ resetRate: 1 });
  const response = await fetch(`${hubUrl}/datasets/${REPO}/resolve/main/text.txt`, { headers: bearer() });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-length'), String(text.length));
  const { bytes, failed } = await drain(response);
  assert.ok(failed, 'the body ends in an error');
  assert.ok(bytes < text.length, `${bytes} of ${text.length} bytes arrived`);
  await assert.rejects(
    fetch(`${hubUrl}/api/whoami-v2`, { method: 'HEAD', headers: bearer() }),
    'no answer at all when there is no body',
  );
});

test('a reset while an upload is received leaves nothing stored', async (t) => {
  t.after(() => emulator.setFaults({}));
  const bytes = randomBytes(1024 * 1024);
  const oid = createHash('sha256').update(bytes).digest('hex');
  const offer = async () => {
    const response = await lfsBatch(hubUrl, [{ oid, size: bytes.length }]);
    return ((await response.json()) as { objects: LfsObjectReply[] }).objects[0]!;
  };
  const href = (await offer()).actions!.upload!.href;
  const head = await headOf(hubUrl);
  emulator.setFaults({ resetRate: 1 });
  await assert.rejects(fetch(href, { method: 'PUT', body: bytes }));
  await assert.rejects(rawCommit(hubUrl, [header('cut'), inlineFile('cut.txt', 'cut')]));
  emulator.setFaults({});
  assert.ok((await offer()).actions?.upload, 'the object is still to be uploaded');
  assert.equal(await headOf(hubUrl), head, 'the cut commit did not happen');
  assert.equal(
    (await fetch(href, { method: 'PUT', body: bytes })).status,
    200,
    'the same URL works afterwards',
  );
});

test('added latency delays every answer', async (t) => {
  t.after(() => emulator.setFaults({}));
  emulator.setFaults({ latencyMs: 200 });
  const started = performance.now();
  assert.equal((await whoami()).status, 200);
  assert.ok(performance.now() - started >= 190);
});

test('a commit whose answer is lost is applied all the same', async (t) => {
  t.after(() => emulator.setFaults({}));
  const before = await headOf(hubUrl);
  emulator.setFaults({ loseCommitResponses: 1 });
  await assert.rejects(
    uploadFiles({
      hubUrl,
      accessToken,
      repo,
      files: [{ path: 'lost/answer.txt', content: new Blob(['applied']) }],
    }),
  );
  const after = await headOf(hubUrl);
  assert.notEqual(after, before, 'the head moved');
  const paths: string[] = [];
  for await (const e of listFiles({ hubUrl, accessToken, repo, path: 'lost' })) paths.push(e.path);
  assert.deepEqual(paths, ['lost/answer.txt']);
  const next = await uploadFiles({
    hubUrl,
    accessToken,
    repo,
    files: [{ path: 'lost/next.txt', content: new Blob(['n']) }],
  });
  assert.ok(next?.commit.oid, 'only one answer was lost');
});
