import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  HubApiError,
  commit,
  createRepo,
  downloadFile,
  listFiles,
  repoExists,
  uploadFiles,
  whoAmI,
} from '@huggingface/hub';
import {
  REPO,
  TOKEN,
  bearer,
  dataset,
  header,
  headOf,
  inlineFile,
  rawCommit,
  startEmulator,
} from './support.js';

const accessToken = TOKEN;
const repo = dataset();

function hubStatus(status: number) {
  return (error: unknown) => {
    assert.ok(error instanceof HubApiError, String(error));
    assert.equal(error.statusCode, status, error.message);
    return true;
  };
}

async function paths(hubUrl: string, folder?: string): Promise<string[]> {
  const found: string[] = [];
  for await (const e of listFiles({ hubUrl, accessToken, repo, path: folder, recursive: true }))
    found.push(e.path);
  return found;
}

describe('rules of the Hub', async () => {
  const { hubUrl, emulator } = await startEmulator();
  await createRepo({ hubUrl, accessToken, repo });

  test('a folder holds at most 10,000 entries: the commit that passes it is refused whole', async () => {
    const empty = (path: string) => ({ key: 'file', value: { path, content: '', encoding: 'base64' } });
    const full = [
      header('10,000 files'),
      ...Array.from({ length: 10_000 }, (_, i) => empty(`many/${i}.txt`)),
    ];
    assert.equal((await rawCommit(hubUrl, full)).status, 200);
    assert.equal((await emulator.stats(REPO)).largestFolder, 10_000);
    const head = await headOf(hubUrl);
    const more = await rawCommit(hubUrl, [
      header('one too many'),
      empty('other.txt'),
      empty('many/extra.txt'),
    ]);
    assert.equal(more.status, 400);
    assert.match(((await more.json()) as { error: string }).error, /cannot hold more than 10000/);
    assert.equal(await headOf(hubUrl), head, 'nothing applied');
    assert.ok(!(await paths(hubUrl)).includes('other.txt'));
    // Replacing a file keeps the count: allowed.
    assert.equal(
      (await rawCommit(hubUrl, [header('rewrite one'), inlineFile('many/1.txt', 'one')])).status,
      200,
    );
  });

  test('a stale parentCommit is a conflict (409)', async () => {
    const parent = await headOf(hubUrl);
    await uploadFiles({
      hubUrl,
      accessToken,
      repo,
      files: [{ path: 'race/first.txt', content: new Blob(['1']) }],
    });
    await assert.rejects(
      commit({
        hubUrl,
        accessToken,
        repo,
        title: 'late',
        parentCommit: parent,
        operations: [{ operation: 'addOrUpdate', path: 'race/second.txt', content: new Blob(['2']) }],
      }),
      hubStatus(409),
    );
    const head = await headOf(hubUrl);
    const made = await commit({
      hubUrl,
      accessToken,
      repo,
      title: 'on time',
      parentCommit: head,
      operations: [{ operation: 'addOrUpdate', path: 'race/second.txt', content: new Blob(['2']) }],
    });
    assert.notEqual(made?.commit.oid, head);
  });

  test('an lfsFile whose object was never uploaded fails the whole commit', async () => {
    const head = await headOf(hubUrl);
    const response = await rawCommit(hubUrl, [
      header('half a commit'),
      inlineFile('atomic/ok.txt', 'fine'),
      { key: 'lfsFile', value: { path: 'atomic/big.bin', algo: 'sha256', oid: 'b'.repeat(64), size: 123 } },
    ]);
    assert.equal(response.status, 422);
    assert.match(((await response.json()) as { error: string }).error, /never uploaded/);
    assert.equal(await headOf(hubUrl), head);
    assert.deepEqual(await paths(hubUrl, 'race'), ['race/first.txt', 'race/second.txt']);
    assert.equal(await downloadFile({ hubUrl, accessToken, repo, path: 'atomic/ok.txt' }), null);
  });

  test('deleting what does not exist is refused (404 EntryNotFound), and nothing else happens', async () => {
    const head = await headOf(hubUrl);
    const response = await rawCommit(hubUrl, [
      header('delete'),
      { key: 'deletedFile', value: { path: 'race/first.txt' } },
      { key: 'deletedFile', value: { path: 'never/was.txt' } },
    ]);
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('x-error-code'), 'EntryNotFound');
    assert.equal(await headOf(hubUrl), head);
    const folder = await rawCommit(hubUrl, [
      header('delete a folder'),
      { key: 'deletedFolder', value: { path: 'race' } },
    ]);
    assert.equal(folder.status, 200);
    assert.ok(!(await paths(hubUrl)).some((p) => p.startsWith('race')));
  });

  test('a path cannot be a file and a folder at once', async () => {
    const response = await rawCommit(hubUrl, [
      header('clash'),
      inlineFile('clash', 'file'),
      inlineFile('clash/inner.txt', 'x'),
    ]);
    assert.equal(response.status, 400);
  });
});

describe('the commit budget', async () => {
  let clock = Date.now();
  const { hubUrl } = await startEmulator({ commitsPerHour: 3, now: () => clock });
  await createRepo({ hubUrl, accessToken, repo });
  const upload = (path: string) =>
    uploadFiles({ hubUrl, accessToken, repo, files: [{ path, content: new Blob([path]) }] });

  test('is answered with 429, Retry-After and RateLimit once spent, and refills over the hour', async () => {
    await upload('1.txt');
    clock += 10 * 60_000;
    await upload('2.txt');
    await upload('3.txt');
    await assert.rejects(upload('4.txt'), hubStatus(429));
    const refused = await rawCommit(hubUrl, [header('over budget'), inlineFile('4.txt', '4')]);
    assert.equal(refused.status, 429);
    // The first commit leaves the window 50 minutes from now.
    assert.equal(refused.headers.get('retry-after'), '3000');
    assert.equal(refused.headers.get('ratelimit'), '"commits";r=0;t=3000');
    assert.match(
      ((await refused.json()) as { error: string }).error,
      /rate limit for repository commits \(3 per hour\)/,
    );
    clock += 50 * 60_000 + 1000;
    await upload('4.txt');
    await assert.rejects(upload('5.txt'), hubStatus(429));
  });
});

describe('the API budget (optional)', async () => {
  const { hubUrl } = await startEmulator({ apiCallsPer5Minutes: 3 });

  test('is answered with 429 and a RateLimit header naming the "api" budget', async () => {
    for (let i = 0; i < 3; i++)
      assert.equal((await fetch(`${hubUrl}/api/whoami-v2`, { headers: bearer() })).status, 200);
    const refused = await fetch(`${hubUrl}/api/whoami-v2`, { headers: bearer() });
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('ratelimit') ?? '', /^"api";r=0;t=\d+$/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
  });
});

describe('tokens and access', async () => {
  const { hubUrl } = await startEmulator({
    tokens: [
      { token: 'hf_alice', role: 'write' },
      { token: 'hf_alice_reader', role: 'read', user: 'alice' },
      { token: 'hf_bob', role: 'write' },
    ],
  });
  const alice = dataset('alice/files');
  await createRepo({ hubUrl, accessToken: 'hf_alice', repo: alice });
  await uploadFiles({
    hubUrl,
    accessToken: 'hf_alice',
    repo: alice,
    files: [{ path: 'a.txt', content: new Blob(['a']) }],
  });

  test('an unknown token gets 401, everywhere', async () => {
    await assert.rejects(whoAmI({ hubUrl, accessToken: 'hf_nobody' }), hubStatus(401));
    const tree = await fetch(`${hubUrl}/api/datasets/alice/files/tree/main`, {
      headers: bearer('hf_nobody'),
    });
    assert.equal(tree.status, 401);
  });

  test('a read token reads, and gets 403 for every write', async () => {
    const me = await whoAmI({ hubUrl, accessToken: 'hf_alice_reader' });
    assert.equal(me.name, 'alice');
    assert.equal(me.auth.accessToken?.role, 'read');
    const blob = await downloadFile({ hubUrl, accessToken: 'hf_alice_reader', repo: alice, path: 'a.txt' });
    assert.equal(await blob?.text(), 'a');
    const files = [{ path: 'b.txt', content: new Blob(['b']) }];
    await assert.rejects(
      uploadFiles({ hubUrl, accessToken: 'hf_alice_reader', repo: alice, files }),
      hubStatus(403),
    );
    await assert.rejects(
      createRepo({ hubUrl, accessToken: 'hf_alice_reader', repo: dataset('alice/new') }),
      hubStatus(403),
    );
    const commitResponse = await rawCommit(hubUrl, [header('x'), inlineFile('b.txt', 'b')], {
      repo: 'alice/files',
      token: 'hf_alice_reader',
    });
    assert.equal(commitResponse.status, 403);
    const batch = await fetch(`${hubUrl}/datasets/alice/files.git/info/lfs/objects/batch`, {
      method: 'POST',
      headers: { ...bearer('hf_alice_reader'), 'Content-Type': 'application/vnd.git-lfs+json' },
      body: JSON.stringify({ operation: 'upload', objects: [{ oid: 'c'.repeat(64), size: 1 }] }),
    });
    assert.equal(batch.status, 403);
  });

  test('a user writes to their own namespace only; a private repo is hidden from others', async () => {
    await assert.rejects(
      createRepo({ hubUrl, accessToken: 'hf_bob', repo: dataset('alice/bobs') }),
      hubStatus(403),
    );
    const files = [{ path: 'b.txt', content: new Blob([randomBytes(10)]) }];
    await assert.rejects(uploadFiles({ hubUrl, accessToken: 'hf_bob', repo: alice, files }), hubStatus(403));

    const secret = dataset('alice/secret');
    await createRepo({ hubUrl, accessToken: 'hf_alice', repo: secret, private: true });
    assert.equal(await repoExists({ hubUrl, accessToken: 'hf_alice', repo: secret }), true);
    assert.equal(await repoExists({ hubUrl, accessToken: 'hf_bob', repo: secret }), false);
    assert.equal(await repoExists({ hubUrl, repo: secret }), false);
    const anonymous = await fetch(`${hubUrl}/datasets/alice/secret/resolve/main/.gitattributes`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('x-error-code'), 'RepoNotFound');
    const bob = await fetch(`${hubUrl}/api/datasets/alice/secret`, { headers: bearer('hf_bob') });
    assert.equal(bob.status, 404);
    assert.equal(bob.headers.get('x-error-code'), 'RepoNotFound');
    const publicRead = await fetch(`${hubUrl}/datasets/alice/files/resolve/main/a.txt`);
    assert.equal(await publicRead.text(), 'a', 'a public repo is readable without a token');
  });
});
