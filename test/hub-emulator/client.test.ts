import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  checkRepoAccess,
  countCommits,
  createRepo,
  datasetInfo,
  deleteFiles,
  downloadFile,
  fileDownloadInfo,
  fileExists,
  HubApiError,
  listCommits,
  listFiles,
  pathsInfo,
  repoExists,
  uploadFiles,
  whoAmI,
} from '@huggingface/hub';
import { MiB, REPO, TOKEN, bearer, dataset, recordingFetch, startEmulator } from './support.js';

// The official client, unchanged, with hubUrl pointed at the emulator and useXet left at its default.
const { hubUrl, emulator } = await startEmulator({
  multipartThreshold: 5 * MiB,
  multipartChunkSize: 2 * MiB,
});
const accessToken = TOKEN;
const repo = dataset();
await createRepo({ hubUrl, accessToken, repo });

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function bytesOf(blob: Blob | null): Promise<Buffer> {
  assert.ok(blob, 'the file exists');
  return Buffer.from(await blob.arrayBuffer());
}

test('whoAmI names the user of the token and its role', async () => {
  const me = await whoAmI({ hubUrl, accessToken });
  assert.equal(me.name, 'emulator');
  assert.equal(me.type, 'user');
  assert.equal(me.auth.accessToken?.role, 'write');
});

test('createRepo, repoExists, checkRepoAccess and datasetInfo', async () => {
  assert.equal(await repoExists({ hubUrl, accessToken, repo: dataset('emulator/other') }), false);
  const created = await createRepo({ hubUrl, accessToken, repo: dataset('emulator/other'), private: true });
  assert.equal(created.repoUrl, `${hubUrl}/datasets/emulator/other`);
  assert.equal(await repoExists({ hubUrl, accessToken, repo: dataset('emulator/other') }), true);
  await checkRepoAccess({ hubUrl, accessToken, repo: dataset('emulator/other') });
  const info = await datasetInfo({ hubUrl, accessToken, name: 'emulator/other', additionalFields: ['sha'] });
  assert.equal(info.name, 'emulator/other');
  assert.equal(info.private, true);
  assert.match(info.sha, /^[0-9a-f]{40}$/);
  const storage = await fetch(`${hubUrl}/api/datasets/emulator/other?expand=usedStorage`, {
    headers: bearer(),
  });
  const { usedStorage } = (await storage.json()) as { usedStorage: number };
  assert.ok(usedStorage > 0, 'the first commit holds .gitattributes');
  await assert.rejects(
    createRepo({ hubUrl, accessToken, repo: dataset('emulator/other') }),
    (error: unknown) => {
      assert.ok(error instanceof HubApiError);
      assert.equal(error.statusCode, 409);
      return true;
    },
  );
});

test('uploadFiles sends a large file in parts and small ones inline; downloads are byte-exact', async () => {
  const big = randomBytes(12 * MiB + 7);
  const small = randomBytes(300 * 1024);
  const recorder = recordingFetch();
  const result = await uploadFiles({
    hubUrl,
    accessToken,
    repo,
    fetch: recorder.fetch,
    files: [
      { path: 'data/big.bin', content: new Blob([big]) },
      { path: 'data/small.bin', content: new Blob([small]) },
      { path: 'notes/readme.txt', content: new Blob(['hello, hub\n']) },
      { path: 'notes/empty.txt', content: new Blob([]) },
    ],
  });
  assert.match(result!.commit.oid, /^[0-9a-f]{40}$/);

  // 12 MiB + 7 in 2 MiB parts: seven part PUTs, then one completion; the small binary goes in one PUT.
  const parts = recorder.calls.filter((c) => c.method === 'PUT' && c.url.includes('/__lfs/part/'));
  const completions = recorder.calls.filter((c) => c.method === 'POST' && c.url.includes('/__lfs/complete/'));
  const basics = recorder.calls.filter((c) => c.method === 'PUT' && c.url.includes('/__lfs/upload/'));
  assert.equal(parts.length, 7);
  assert.equal(completions.length, 1);
  assert.equal(basics.length, 1);

  const tree = new Map<string, { size: number; lfs?: { oid: string } }>();
  for await (const entry of listFiles({ hubUrl, accessToken, repo, recursive: true }))
    tree.set(entry.path, entry);
  assert.equal(tree.get('data/big.bin')?.lfs?.oid, sha256(big));
  assert.equal(tree.get('data/small.bin')?.lfs?.oid, sha256(small));
  assert.equal(tree.get('notes/readme.txt')?.lfs, undefined, 'text goes inline');
  assert.equal(tree.get('notes/empty.txt')?.size, 0);

  const info = await fileDownloadInfo({ hubUrl, accessToken, repo, path: 'data/big.bin' });
  assert.equal(info?.size, big.length);
  assert.equal(info?.etag, `"${sha256(big)}"`);
  assert.equal(info?.xet, undefined);

  const blob = await downloadFile({ hubUrl, accessToken, repo, path: 'data/big.bin' });
  assert.ok(blob);
  assert.equal(blob.size, big.length);
  for (const [start, end] of [
    [0, 1],
    [5 * MiB - 3, 5 * MiB + 5],
    [2 * MiB, 4 * MiB],
    [big.length - 10, big.length],
  ] as const) {
    assert.ok(
      (await bytesOf(blob.slice(start, end))).equals(big.subarray(start, end)),
      `bytes ${start}-${end}`,
    );
  }
  assert.ok((await bytesOf(blob)).equals(big));
  assert.ok(
    (await bytesOf(await downloadFile({ hubUrl, accessToken, repo, path: 'data/small.bin' }))).equals(small),
  );
  assert.equal(
    await (await downloadFile({ hubUrl, accessToken, repo, path: 'notes/readme.txt' }))!.text(),
    'hello, hub\n',
  );
  assert.equal(await downloadFile({ hubUrl, accessToken, repo, path: 'notes/missing.txt' }), null);
  assert.equal(await fileExists({ hubUrl, accessToken, repo, path: 'data/big.bin' }), true);
  assert.equal(await fileExists({ hubUrl, accessToken, repo, path: 'data/nope.bin' }), false);

  // The same bytes under another name: the LFS batch says they are stored, nothing is uploaded again.
  const again = recordingFetch();
  await uploadFiles({
    hubUrl,
    accessToken,
    repo,
    fetch: again.fetch,
    files: [{ path: 'copy/big.bin', content: new Blob([big]) }],
  });
  assert.equal(again.calls.filter((c) => c.url.includes('/__lfs/')).length, 0);
  assert.ok(
    (await bytesOf(await downloadFile({ hubUrl, accessToken, repo, path: 'copy/big.bin' }))).equals(big),
  );
});

test('listFiles follows Link pages, also when expanded', async () => {
  const files = Array.from({ length: 1234 }, (_, i) => ({
    path: `many/file-${String(i).padStart(4, '0')}.txt`,
    content: new Blob([`file ${i}\n`]),
  }));
  await uploadFiles({ hubUrl, accessToken, repo, files });

  const recorder = recordingFetch();
  const listed: string[] = [];
  for await (const entry of listFiles({ hubUrl, accessToken, repo, path: 'many', fetch: recorder.fetch })) {
    listed.push(entry.path);
  }
  assert.equal(recorder.calls.length, 2, 'two pages of at most 1000');
  assert.deepEqual(
    listed,
    files.map((f) => f.path),
  );

  const expanded = recordingFetch();
  let count = 0;
  for await (const entry of listFiles({
    hubUrl,
    accessToken,
    repo,
    path: 'many',
    expand: true,
    fetch: expanded.fetch,
  })) {
    assert.ok(entry.lastCommit, 'expanded entries name their last commit');
    count++;
  }
  assert.equal(count, 1234);
  assert.equal(expanded.calls.length, 13, 'pages of at most 100 when expanded');

  const top: { path: string; type: string }[] = [];
  for await (const entry of listFiles({ hubUrl, accessToken, repo }))
    top.push({ path: entry.path, type: entry.type });
  assert.ok(top.some((e) => e.path === 'many' && e.type === 'directory'));
  assert.ok(top.some((e) => e.path === '.gitattributes' && e.type === 'file'));
  assert.ok(
    top.every((e) => !e.path.includes('/')),
    'not recursive: the top level only',
  );
});

test('deleteFiles removes the files in one commit', async () => {
  await uploadFiles({
    hubUrl,
    accessToken,
    repo,
    files: [
      { path: 'trash/a.txt', content: new Blob(['a']) },
      { path: 'trash/b.txt', content: new Blob(['b']) },
      { path: 'trash/keep.txt', content: new Blob(['keep']) },
    ],
  });
  const before = await countCommits({ hubUrl, accessToken, repo });
  await deleteFiles({ hubUrl, accessToken, repo, paths: ['trash/a.txt', 'trash/b.txt'] });
  assert.equal(await countCommits({ hubUrl, accessToken, repo }), before + 1);
  const left: string[] = [];
  for await (const entry of listFiles({ hubUrl, accessToken, repo, path: 'trash' })) left.push(entry.path);
  assert.deepEqual(left, ['trash/keep.txt']);
  for await (const latest of listCommits({ hubUrl, accessToken, repo, batchSize: 1 })) {
    assert.equal(latest.title, 'Deletes 2 files');
    break;
  }
});

test('pathsInfo answers files and folders, with their last commit when expanded', async () => {
  const infos = await pathsInfo({
    hubUrl,
    accessToken,
    repo,
    paths: ['notes/readme.txt', 'notes', 'no/such/path'],
    expand: true,
  });
  assert.deepEqual(
    infos.map((i) => [i.path, i.type]),
    [
      ['notes/readme.txt', 'file'],
      ['notes', 'directory'],
    ],
  );
  assert.ok(infos.every((i) => i.lastCommit && i.lastCommit.date instanceof Date));
  const stats = await emulator.stats(REPO);
  assert.ok(stats.files > 1234);
  assert.equal(stats.largestFolder, 1234);
});
