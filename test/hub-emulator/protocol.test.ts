import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { HubApiError, createRepo, uploadFiles } from '@huggingface/hub';
import {
  MiB,
  REPO,
  TOKEN,
  bearer,
  dataset,
  header,
  inlineFile,
  lfsBatch,
  rawCommit,
  startEmulator,
  type LfsObjectReply,
} from './support.js';

// The protocol seen from the wire: what a client other than @huggingface/hub (our store) relies on.
let clock = Date.now();
const { hubUrl } = await startEmulator({
  multipartThreshold: 1 * MiB,
  multipartChunkSize: 512 * 1024,
  maxFileSize: 3 * MiB,
  now: () => clock,
});
const accessToken = TOKEN;
const repo = dataset();
await createRepo({ hubUrl, accessToken, repo });
const lfsBytes = randomBytes(700 * 1024);
const lfsSha = createHash('sha256').update(lfsBytes).digest('hex');
await uploadFiles({
  hubUrl,
  accessToken,
  repo,
  files: [
    { path: 'blob.bin', content: new Blob([lfsBytes]) },
    { path: 'docs/a.txt', content: new Blob(['alpha\n']) },
  ],
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function batchObject(oid: string, size: number): Promise<LfsObjectReply> {
  const response = await lfsBatch(hubUrl, [{ oid, size }]);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { objects: LfsObjectReply[] };
  return body.objects[0]!;
}

test('resolve redirects an LFS file to a signed CDN URL that honours ranges', async () => {
  const resolve = `${hubUrl}/datasets/${REPO}/resolve/main/blob.bin`;
  const redirect = await fetch(resolve, { redirect: 'manual', headers: { ...bearer(), Range: 'bytes=0-0' } });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('x-linked-size'), String(lfsBytes.length));
  assert.equal(redirect.headers.get('x-linked-etag'), `"${lfsSha}"`);
  assert.match(redirect.headers.get('x-repo-commit') ?? '', /^[0-9a-f]{40}$/);
  const location = redirect.headers.get('location')!;
  assert.ok(location.startsWith(`${hubUrl}/`), 'an absolute URL on the emulator');

  const first = await fetch(location, { headers: { Range: 'bytes=0-0' } });
  assert.equal(first.status, 206);
  assert.equal(first.headers.get('content-range'), `bytes 0-0/${lfsBytes.length}`);
  assert.equal(first.headers.get('etag'), `"${lfsSha}"`);
  assert.ok(Buffer.from(await first.arrayBuffer()).equals(lfsBytes.subarray(0, 1)));

  const tail = await fetch(location, { headers: { Range: 'bytes=-100' } });
  assert.equal(tail.status, 206);
  assert.ok(Buffer.from(await tail.arrayBuffer()).equals(lfsBytes.subarray(-100)));

  const beyond = await fetch(location, { headers: { Range: `bytes=${lfsBytes.length}-` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get('content-range'), `bytes */${lfsBytes.length}`);

  const head = await fetch(resolve, { method: 'HEAD', headers: bearer() });
  assert.equal(head.status, 200, 'HEAD follows the redirect');
  assert.equal(head.headers.get('content-length'), String(lfsBytes.length));

  const tampered = new URL(location);
  tampered.searchParams.set('Expires', String(Number(tampered.searchParams.get('Expires')) + 60));
  assert.equal((await fetch(tampered)).status, 403);
  clock += 2 * 3_600_000;
  try {
    assert.equal((await fetch(location)).status, 403, 'the URL expires');
  } finally {
    clock -= 2 * 3_600_000;
  }
});

test('resolve serves a regular file itself, and never says Xet', async () => {
  const response = await fetch(`${hubUrl}/datasets/${REPO}/resolve/main/docs/a.txt`, {
    headers: { ...bearer(), Range: 'bytes=0-0', Accept: 'application/vnd.xet-fileinfo+json, */*' },
  });
  assert.equal(response.status, 206);
  assert.equal(response.headers.get('content-range'), 'bytes 0-0/6');
  assert.match(response.headers.get('etag') ?? '', /^"[0-9a-f]{40}"$/);
  assert.ok(!(response.headers.get('content-type') ?? '').includes('xet'));
  assert.equal(await response.text(), 'a');
  const raw = await fetch(`${hubUrl}/datasets/${REPO}/raw/main/blob.bin`, { headers: bearer() });
  assert.equal(raw.status, 200);
  assert.match(
    await raw.text(),
    new RegExp(
      `^version https://git-lfs.github.com/spec/v1\\noid sha256:${lfsSha}\\nsize ${lfsBytes.length}\\n$`,
    ),
  );
});

test('resolve answers 404 with the X-Error-Code the client reads', async () => {
  const cases = [
    [`/datasets/${REPO}/resolve/main/nope.txt`, 'EntryNotFound'],
    [`/datasets/${REPO}/resolve/docs/a.txt`, 'RevisionNotFound'],
    [`/datasets/${REPO}/resolve/${'0'.repeat(40)}/docs/a.txt`, 'RevisionNotFound'],
    ['/datasets/emulator/absent/resolve/main/a.txt', 'RepoNotFound'],
  ];
  for (const [path, code] of cases) {
    for (const method of ['GET', 'HEAD']) {
      const response = await fetch(`${hubUrl}${path}`, { method, headers: bearer() });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(response.headers.get('x-error-code'), code, `${method} ${path}`);
    }
  }
});

test('the LFS batch skips stored objects, refuses too large ones, and never offers xet', async () => {
  const stored = await batchObject(lfsSha, lfsBytes.length);
  assert.equal(stored.actions, undefined, 'already stored: nothing to upload');
  const response = await lfsBatch(hubUrl, [{ oid: sha256(Buffer.from('x')), size: 1 }]);
  assert.equal(((await response.json()) as { transfer: string }).transfer, 'basic');
  const tooLarge = await batchObject('a'.repeat(64), 3 * MiB + 1);
  assert.equal(tooLarge.error?.code, 422);
  assert.match(tooLarge.error?.message ?? '', /maximum file size/);
  await assert.rejects(
    uploadFiles({
      hubUrl,
      accessToken,
      repo,
      files: [{ path: 'huge.bin', content: new Blob([randomBytes(3 * MiB + 1)]) }],
    }),
    /maximum file size/,
  );
});

test('a basic upload with the wrong bytes is refused and nothing is stored', async () => {
  const bytes = randomBytes(4096);
  const object = await batchObject(sha256(bytes), bytes.length);
  const href = object.actions!.upload!.href;
  const wrong = await fetch(href, { method: 'PUT', body: randomBytes(4096) });
  assert.equal(wrong.status, 400);
  assert.ok((await batchObject(sha256(bytes), bytes.length)).actions?.upload, 'still to be uploaded');
  const forged = new URL(href);
  forged.searchParams.set('size', '1');
  assert.equal((await fetch(forged, { method: 'PUT', body: bytes })).status, 403);
  const right = await fetch(href, { method: 'PUT', body: bytes });
  assert.equal(right.status, 200);
  assert.match(right.headers.get('etag') ?? '', /^"[0-9a-f]{32}"$/);
  assert.equal((await batchObject(sha256(bytes), bytes.length)).actions, undefined);
});

test('a multipart upload checks its parts and the SHA-256 of the whole', async () => {
  const bytes = randomBytes(1 * MiB + 100);
  const oid = sha256(bytes);
  const upload = (await batchObject(oid, bytes.length)).actions!.upload!;
  const chunk = Number(upload.header!.chunk_size);
  assert.equal(chunk, 512 * 1024);
  const partUrls = Object.keys(upload.header!)
    .filter((k) => /^\d+$/.test(k))
    .map((k) => upload.header![k]!);
  assert.equal(partUrls.length, 3);

  const put = async (content: Buffer) => {
    const etags: string[] = [];
    for (const [i, url] of partUrls.entries()) {
      const response = await fetch(url, {
        method: 'PUT',
        body: content.subarray(i * chunk, (i + 1) * chunk),
      });
      assert.equal(response.status, 200);
      etags.push(response.headers.get('etag')!);
    }
    return etags;
  };
  const complete = (etags: string[]) =>
    fetch(upload.href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/vnd.git-lfs+json' },
      body: JSON.stringify({ oid, parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })) }),
    });

  const short = await fetch(partUrls[0]!, { method: 'PUT', body: bytes.subarray(0, 10) });
  assert.equal(short.status, 400, 'a part of the wrong size');

  const corrupt = Buffer.from(bytes);
  corrupt.writeUInt8(corrupt.readUInt8(700_000) ^ 0xff, 700_000);
  const bad = await complete(await put(corrupt));
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /do not match/);
  assert.ok((await batchObject(oid, bytes.length)).actions?.upload, 'nothing stored');

  const etags = await put(bytes);
  assert.equal((await complete(etags.slice(0, 2))).status, 400, 'every part must be listed');
  assert.equal((await complete(etags.map(() => '"0"'))).status, 400, 'ETags must match');
  assert.equal((await complete(etags)).status, 200);
  assert.equal((await batchObject(oid, bytes.length)).actions, undefined);
});

test('preupload sends binary, large and .gitattributes-matched files to LFS', async () => {
  const sample = (bytes: Buffer) => bytes.subarray(0, 512).toString('base64');
  const response = await fetch(`${hubUrl}/api/datasets/${REPO}/preupload/main`, {
    method: 'POST',
    headers: { ...bearer(), 'Content-Type': 'application/json' },
    body: JSON.stringify({
      files: [
        { path: 'empty.bin', size: 0, sample: '' },
        { path: 'text.txt', size: 5, sample: sample(Buffer.from('hello')) },
        { path: 'binary.dat', size: 4, sample: sample(Buffer.from([1, 0, 2, 3])) },
        { path: 'big.txt', size: 10 * MiB + 1, sample: sample(Buffer.from('aaaa')) },
        { path: 'table.parquet', size: 5, sample: sample(Buffer.from('hello')) },
      ],
    }),
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as {
    files: { path: string; uploadMode: string }[];
    commitOid: string;
  };
  assert.deepEqual(
    body.files.map((f) => f.uploadMode),
    ['regular', 'regular', 'lfs', 'lfs', 'lfs'],
  );
  assert.match(body.commitOid, /^[0-9a-f]{40}$/);
});

test('a commit refuses binary content inline: it belongs in LFS', async () => {
  const response = await rawCommit(hubUrl, [
    header('binary inline'),
    inlineFile('x.bin', Buffer.from([0, 1, 2])),
  ]);
  assert.equal(response.status, 400);
  assert.match(((await response.json()) as { error: string }).error, /LFS/);
});

test('the tree pages with an absolute Link, and treesize adds up a folder', async () => {
  const lines = [
    header('ten files'),
    ...Array.from({ length: 10 }, (_, i) => inlineFile(`pages/f${i}.txt`, `${i}`)),
  ];
  assert.equal((await rawCommit(hubUrl, lines)).status, 200);
  const seen: string[] = [];
  let url: string | undefined = `${hubUrl}/api/datasets/${REPO}/tree/main/pages?limit=4`;
  let pages = 0;
  while (url) {
    const response: Response = await fetch(url, { headers: bearer() });
    assert.equal(response.status, 200);
    seen.push(...((await response.json()) as { path: string }[]).map((e) => e.path));
    pages++;
    const link = response.headers.get('link');
    url = link ? /^<(http[^>]+)>; rel="next"$/.exec(link)![1] : undefined;
  }
  assert.equal(pages, 3);
  assert.deepEqual(
    seen,
    Array.from({ length: 10 }, (_, i) => `pages/f${i}.txt`),
  );
  const size = await fetch(`${hubUrl}/api/datasets/${REPO}/treesize/main/pages`, { headers: bearer() });
  assert.deepEqual(await size.json(), { path: 'pages', size: 10 });
  const missing = await fetch(`${hubUrl}/api/datasets/${REPO}/tree/main/none`, { headers: bearer() });
  assert.equal(missing.headers.get('x-error-code'), 'EntryNotFound');
});

test('errors reach the client as HubApiError with the Hub status', async () => {
  await assert.rejects(
    uploadFiles({
      hubUrl,
      accessToken,
      repo: dataset('emulator/absent'),
      files: [{ path: 'a.txt', content: new Blob(['a']) }],
    }),
    (error: unknown) => error instanceof HubApiError && error.statusCode === 404,
  );
});
