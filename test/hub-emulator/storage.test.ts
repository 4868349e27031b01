import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createRepo, deleteFiles, downloadFile, listCommits, listFiles, uploadFiles } from '@huggingface/hub';
import {
  REPO,
  TOKEN,
  bearer,
  dataset,
  headOf,
  lfsBatch,
  startEmulator,
  type LfsObjectReply,
} from './support.js';

// Storage as the Hub bills it: what any commit of the history references, until the history is rewritten.
const accessToken = TOKEN;
const repo = dataset();
const { hubUrl, emulator } = await startEmulator();
await createRepo({ hubUrl, accessToken, repo });

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const upload = (path: string, bytes: Buffer) =>
  uploadFiles({ hubUrl, accessToken, repo, files: [{ path, content: new Blob([bytes]) }] });

async function usedStorage(): Promise<number> {
  const response = await fetch(`${hubUrl}/api/datasets/${REPO}?expand=usedStorage`, { headers: bearer() });
  return ((await response.json()) as { usedStorage: number }).usedStorage;
}

async function commitCount(): Promise<number> {
  let count = 0;
  for await (const _ of listCommits({ hubUrl, accessToken, repo })) count++;
  return count;
}

interface LfsFile {
  fileOid: string;
  filename: string;
  size: number;
}

async function lfsFiles(): Promise<LfsFile[]> {
  const response = await fetch(`${hubUrl}/api/datasets/${REPO}/lfs-files`, { headers: bearer() });
  assert.equal(response.status, 200);
  return (await response.json()) as LfsFile[];
}

function deleteLfs(shas: string[], rewriteHistory: boolean): Promise<Response> {
  return fetch(`${hubUrl}/api/datasets/${REPO}/lfs-files/batch`, {
    method: 'POST',
    headers: { ...bearer(), 'Content-Type': 'application/json' },
    body: JSON.stringify({ deletions: { sha: shas, rewriteHistory } }),
  });
}

test('deleting a file frees nothing; a super-squash frees what only the history held', async () => {
  const base = await usedStorage();
  const kept = randomBytes(200_000);
  const dropped = randomBytes(300_000);
  await upload('kept.bin', kept);
  await upload('dropped.bin', dropped);
  assert.equal(await usedStorage(), base + kept.length + dropped.length);
  await deleteFiles({ hubUrl, accessToken, repo, paths: ['dropped.bin'] });
  assert.equal(await usedStorage(), base + kept.length + dropped.length, 'the history still holds it');
  assert.equal((await emulator.stats(REPO)).storageBytes, base + kept.length + dropped.length);
  assert.equal((await emulator.stats(REPO)).lfsObjects, 2);

  const squash = await fetch(`${hubUrl}/api/datasets/${REPO}/super-squash/main`, {
    method: 'POST',
    headers: { ...bearer(), 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'squash' }),
  });
  assert.equal(squash.status, 200);
  const { commitId } = (await squash.json()) as { commitId: string };
  assert.equal(await headOf(hubUrl), commitId);
  assert.equal(await commitCount(), 1);
  assert.equal(await usedStorage(), base + kept.length);
  assert.deepEqual(
    (await emulator.stats(REPO)).lfsObjects,
    1,
    'the dropped object is released, not just uncounted',
  );
  const blob = await downloadFile({ hubUrl, accessToken, repo, path: 'kept.bin' });
  assert.ok(Buffer.from(await blob!.arrayBuffer()).equals(kept));
  const batch = await lfsBatch(hubUrl, [{ oid: sha256(dropped), size: dropped.length }]);
  const [object] = ((await batch.json()) as { objects: LfsObjectReply[] }).objects;
  assert.ok(object?.actions?.upload, 'it would have to be uploaded again');
});

test('lfs-files lists the objects; deleting one with rewriteHistory drops it from every commit', async () => {
  const before = await usedStorage();
  const doomed = randomBytes(150_000);
  const other = randomBytes(50_000);
  await upload('old/doomed.bin', doomed);
  await upload('old/other.bin', other);
  await deleteFiles({ hubUrl, accessToken, repo, paths: ['old/doomed.bin'] });
  await upload('new/doomed-again.bin', doomed);
  const commits = await commitCount();
  assert.equal(await usedStorage(), before + doomed.length + other.length);

  const listed = await lfsFiles();
  const entry = listed.find((f) => f.fileOid === sha256(doomed));
  assert.equal(entry?.size, doomed.length);
  assert.equal(entry?.filename, 'new/doomed-again.bin');

  const firstPage = await fetch(`${hubUrl}/api/datasets/${REPO}/lfs-files?limit=1`, { headers: bearer() });
  assert.equal(((await firstPage.json()) as LfsFile[]).length, 1);
  const next = /^<(http[^>]+)>; rel="next"$/.exec(firstPage.headers.get('link') ?? '')?.[1];
  assert.ok(next, 'a Link to the next page');
  const secondPage = (await (await fetch(next, { headers: bearer() })).json()) as LfsFile[];
  assert.deepEqual(
    secondPage.map((f) => f.fileOid),
    listed.slice(1, 2).map((f) => f.fileOid),
  );

  const refused = await deleteLfs([sha256(doomed)], false);
  assert.equal(refused.status, 409, 'still referenced: only a history rewrite may delete it');

  const deleted = await deleteLfs([sha256(doomed)], true);
  assert.equal(deleted.status, 200);
  assert.equal(await usedStorage(), before + other.length);
  assert.equal(await commitCount(), commits, 'the history keeps its length, without the file');
  const paths: string[] = [];
  for await (const e of listFiles({ hubUrl, accessToken, repo, recursive: true })) paths.push(e.path);
  assert.ok(!paths.includes('new/doomed-again.bin'));
  assert.ok(paths.includes('old/other.bin'));
  assert.ok(!(await lfsFiles()).some((f) => f.fileOid === sha256(doomed)));
  for await (const c of listCommits({ hubUrl, accessToken, repo })) {
    const tree = await fetch(`${hubUrl}/api/datasets/${REPO}/tree/${c.oid}?recursive=true`, {
      headers: bearer(),
    });
    const entries = (await tree.json()) as { lfs?: { oid: string } }[];
    assert.ok(!entries.some((e) => e.lfs?.oid === sha256(doomed)), `commit ${c.oid} no longer holds it`);
  }
});

test('a recent upload that no commit references yet survives a super-squash', async () => {
  const pending = randomBytes(64_000);
  const batch = await lfsBatch(hubUrl, [{ oid: sha256(pending), size: pending.length }]);
  const [object] = ((await batch.json()) as { objects: LfsObjectReply[] }).objects;
  assert.equal((await fetch(object!.actions!.upload!.href, { method: 'PUT', body: pending })).status, 200);
  const before = await usedStorage();
  const squash = await fetch(`${hubUrl}/api/datasets/${REPO}/super-squash/main`, {
    method: 'POST',
    headers: { ...bearer(), 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(squash.status, 200);
  assert.equal(await usedStorage(), before, 'not counted while no commit references it');
  const commit = await fetch(`${hubUrl}/api/datasets/${REPO}/commit/main`, {
    method: 'POST',
    headers: { ...bearer(), 'Content-Type': 'application/x-ndjson' },
    body: [
      { key: 'header', value: { summary: 'commit an earlier upload' } },
      {
        key: 'lfsFile',
        value: { path: 'late.bin', algo: 'sha256', oid: sha256(pending), size: pending.length },
      },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n'),
  });
  assert.equal(commit.status, 200);
  assert.equal(await usedStorage(), before + pending.length);
});
