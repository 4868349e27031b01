import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { FsckReport } from '../../src/content/consistency-check.js';
import type { GcReport } from '../../src/content/garbage-collector.js';
import type { ApiClient } from './client.js';
import { pseudoRandom } from './data.js';

/** 2 GiB in 20 files, of which 2 (10%) are kept. */
const FILES = 20;
const FILE_SIZE = Math.floor((2 * 1024 ** 3) / FILES);
const KEPT = new Set([4, 15]);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Uploads the 2 GiB through the API; returns the SHA-256 of each file that will be kept. */
export async function uploadTwoGiB(client: ApiClient, seed: number): Promise<Map<string, string>> {
  const kept = new Map<string, string>();
  for (let i = 0; i < FILES; i++) {
    const data = pseudoRandom(FILE_SIZE, seed + i);
    const path = `/file-${i}.bin`;
    const answer = await client.upload(path, data);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    if (KEPT.has(i)) kept.set(path, sha256(data));
  }
  return kept;
}

/** Deletes the 90% (to the trash), then empties the trash. */
export async function deleteNinetyPercent(client: ApiClient): Promise<void> {
  for (let i = 0; i < FILES; i++) {
    if (KEPT.has(i)) continue;
    const answer = await client.post('/fs/delete', { path: `/file-${i}.bin` });
    assert.equal(answer.status, 204, JSON.stringify(answer.body));
  }
  assert.equal((await client.post('/trash/empty')).status, 200);
}

export async function fsck(client: ApiClient, body: Record<string, boolean> = {}): Promise<FsckReport> {
  const answer = await client.post<FsckReport>('/admin/fsck', body);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

/** fsck with no problem found; returns its report. */
export async function assertClean(
  client: ApiClient,
  body: Record<string, boolean> = {},
): Promise<FsckReport> {
  const report = await fsck(client, body);
  assert.equal(report.problemCount, 0, JSON.stringify(report.problems.slice(0, 10)));
  return report;
}

export async function gc(client: ApiClient): Promise<GcReport> {
  const answer = await client.post<GcReport>('/admin/gc', {});
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

/** The kept files read back through the API, byte for byte. */
export async function assertKeptReadBack(client: ApiClient, kept: Map<string, string>): Promise<void> {
  for (const [path, digest] of kept) {
    const { status, bytes } = await client.download(path);
    assert.equal(status, 200);
    assert.equal(bytes.length, FILE_SIZE, `${path} has its size`);
    assert.equal(sha256(bytes), digest, `${path} reads back byte-exact`);
  }
}
