import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  createRepo,
  downloadFile,
  fileDownloadInfo,
  listCommits,
  listFiles,
  uploadFiles,
} from '@huggingface/hub';
import { startHubEmulator } from '../../src/hub-emulator/index.js';
import { tempDir } from '../helpers/temp.js';
import { MiB, REPO, TOKEN, dataset } from './support.js';

const accessToken = TOKEN;
const repo = dataset();

async function history(hubUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const c of listCommits({ hubUrl, accessToken, repo })) ids.push(c.oid);
  return ids;
}

async function tree(hubUrl: string): Promise<string[]> {
  const entries: string[] = [];
  for await (const e of listFiles({ hubUrl, accessToken, repo, recursive: true })) {
    entries.push(`${e.path}:${e.oid}:${e.size}:${e.lfs?.oid ?? ''}`);
  }
  return entries;
}

test('after a restart on the same folder, repos, history, objects and budgets are all there', async () => {
  const dir = tempDir('hub-emulator-restart');
  const options = { dir, commitsPerHour: 4, multipartThreshold: 2 * MiB, multipartChunkSize: 1 * MiB };
  const big = randomBytes(3 * MiB + 5);
  const first = await startHubEmulator(options);
  let hubUrl = first.url;
  let before: { history: string[]; tree: string[]; stats: unknown; cdnUrl: string | undefined };
  try {
    await createRepo({ hubUrl, accessToken, repo });
    await uploadFiles({ hubUrl, accessToken, repo, files: [{ path: 'big.bin', content: new Blob([big]) }] });
    await uploadFiles({ hubUrl, accessToken, repo, files: [{ path: 'a/b.txt', content: new Blob(['b']) }] });
    await uploadFiles({ hubUrl, accessToken, repo, files: [{ path: 'a/c.txt', content: new Blob(['c']) }] });
    const info = await fileDownloadInfo({ hubUrl, accessToken, repo, path: 'big.bin' });
    before = {
      history: await history(hubUrl),
      tree: await tree(hubUrl),
      stats: await first.stats(REPO),
      cdnUrl: info?.url,
    };
  } finally {
    await first.close();
  }

  const second = await startHubEmulator(options);
  try {
    hubUrl = second.url;
    assert.deepEqual(await history(hubUrl), before.history);
    assert.equal(before.history.length, 4, 'the first commit and three uploads');
    assert.deepEqual(await tree(hubUrl), before.tree);
    assert.deepEqual(await second.stats(REPO), before.stats);
    const blob = await downloadFile({ hubUrl, accessToken, repo, path: 'big.bin' });
    assert.ok(Buffer.from(await blob!.arrayBuffer()).equals(big));
    assert.equal(await (await downloadFile({ hubUrl, accessToken, repo, path: 'a/c.txt' }))!.text(), 'c');
    // A CDN URL handed out before the restart is still signed right (same port not needed: same secret).
    const cdn = new URL(before.cdnUrl!);
    const again = await fetch(`${hubUrl}${cdn.pathname}${cdn.search}`, { headers: { Range: 'bytes=0-3' } });
    assert.equal(again.status, 206);
    // Three commits of the hour are remembered: one more fits in a budget of four, then 429.
    await uploadFiles({ hubUrl, accessToken, repo, files: [{ path: 'd.txt', content: new Blob(['d']) }] });
    await assert.rejects(
      uploadFiles({ hubUrl, accessToken, repo, files: [{ path: 'e.txt', content: new Blob(['e']) }] }),
      /rate limit/,
    );
  } finally {
    await second.close();
  }
});
