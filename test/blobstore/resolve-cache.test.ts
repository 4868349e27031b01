import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { BlobNotFoundError } from '../../src/blobstore/errors.js';
import { HfDatasetStore } from '../../src/blobstore/hf/hf-dataset-store.js';
import { HubResponseError, type HubContext } from '../../src/blobstore/hf/hub-context.js';
import { ResolveCache } from '../../src/blobstore/hf/resolve-cache.js';
import type { HubEmulator } from '../../src/hub-emulator/index.js';
import { pseudoRandom } from '../helpers/data.js';
import { HUB_TOKEN, hubStore, quietLogger, startHub } from '../helpers/hub.js';
import { bytesSource, readAll } from './conformance.js';

const TEXT = Buffer.from('a small regular file, kept in git and served by the Hub itself\n'.repeat(20));
const BINARY = pseudoRandom(200_000, 3);

interface Seen {
  method: string;
  url: string;
  headers: Headers;
}

/** A context on `repo` whose fetch records every request it sends. */
function recordingContext(hub: HubEmulator, repo: string): { context: HubContext; seen: Seen[] } {
  const seen: Seen[] = [];
  const send: typeof fetch = (input, init) => {
    seen.push({ method: init?.method ?? 'GET', url: String(input), headers: new Headers(init?.headers) });
    return fetch(input, init);
  };
  const context: HubContext = {
    hubUrl: hub.url,
    repo,
    token: HUB_TOKEN,
    revision: 'main',
    fetch: send,
    fetchOnce: send,
    logger: quietLogger,
  };
  return { context, seen };
}

describe('ResolveCache on a Hub that redirects regular files to /api/resolve-cache/', () => {
  let hub: HubEmulator;
  let repo: string;

  before(async () => {
    hub = await startHub({ resolveCacheRedirects: true });
    const opened = await hubStore(hub);
    repo = opened.repo;
    await opened.store.put('meta/notes.txt', bytesSource(TEXT));
    await opened.store.put('packs/aa/object.bin', bytesSource(BINARY));
    await opened.store.commit('two files');
    await opened.store.close();
  });

  test('a same-origin relative redirect is followed with the token, and the file reads back', async () => {
    const { context, seen } = recordingContext(hub, repo);
    const target = await new ResolveCache(context).target('meta/notes.txt');
    assert.match(new URL(target.url).pathname, /^\/api\/resolve-cache\/datasets\//);
    assert.equal(target.size, TEXT.length);
    assert.equal(seen.length, 2, 'resolve, then the resolve-cache URL it points to');
    for (const request of seen) assert.equal(request.headers.get('authorization'), `Bearer ${HUB_TOKEN}`);

    const store = await reopen(hub, repo);
    assert.ok((await readAll(await store.get('meta/notes.txt'))).equals(TEXT));
    const part = Buffer.alloc(100);
    await store.readInto!('meta/notes.txt', 50, part);
    assert.ok(part.equals(TEXT.subarray(50, 150)));
    await store.close();
  });

  test('the signed storage URL of an LFS file is the target, and needs no token', async () => {
    const { context, seen } = recordingContext(hub, repo);
    const cache = new ResolveCache(context);
    const target = await cache.target('packs/aa/object.bin');
    assert.equal(target.size, BINARY.length);
    assert.equal(seen.length, 1);
    assert.equal(cache.isHub(target.url), false);
    assert.equal(cache.readHeaders(target.url).Authorization, undefined);
  });

  test('resolve and reads ask for the raw bytes (Accept-Encoding: identity)', async () => {
    const { context, seen } = recordingContext(hub, repo);
    const cache = new ResolveCache(context);
    const regular = await cache.target('meta/notes.txt');
    await cache.target('packs/aa/object.bin');
    assert.ok(seen.length >= 3);
    for (const request of seen) assert.equal(request.headers.get('accept-encoding'), 'identity', request.url);
    const headers = cache.readHeaders(regular.url, { start: 0, end: 9 });
    assert.deepEqual(headers, {
      Authorization: `Bearer ${HUB_TOKEN}`,
      Range: 'bytes=0-9',
      'Accept-Encoding': 'identity',
    });
    const response = await fetch(regular.url, { headers });
    assert.equal(response.status, 206);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(TEXT.subarray(0, 10)));
  });

  test('concurrent resolves of one path share one request', async () => {
    const { context, seen } = recordingContext(hub, repo);
    const cache = new ResolveCache(context);
    const targets = await Promise.all(Array.from({ length: 8 }, () => cache.target('packs/aa/object.bin')));
    assert.equal(seen.length, 1);
    for (const target of targets) assert.equal(target, targets[0]);
    await cache.target('packs/aa/object.bin');
    assert.equal(seen.length, 1, 'then it is cached');
  });

  test('a failed resolve is shared too, and not cached', async () => {
    const { context, seen } = recordingContext(hub, repo);
    const cache = new ResolveCache(context);
    const results = await Promise.allSettled([
      cache.target('packs/zz/none.bin'),
      cache.target('packs/zz/none.bin'),
    ]);
    assert.equal(seen.length, 1);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.ok(result.reason instanceof BlobNotFoundError);
    }
    await assert.rejects(cache.target('packs/zz/none.bin'), BlobNotFoundError);
    assert.equal(seen.length, 2, 'asked again');
  });

  test('a path forgotten while it resolves is not cached from that answer', async () => {
    const { context, seen } = recordingContext(hub, repo);
    const cache = new ResolveCache(context);
    const first = cache.target('packs/aa/object.bin');
    cache.forget('packs/aa/object.bin');
    await first;
    await cache.target('packs/aa/object.bin');
    assert.equal(seen.length, 2);
  });
});

describe('ResolveCache: which 404 is a missing object', () => {
  let hub: HubEmulator;
  let repo: string;

  before(async () => {
    hub = await startHub();
    ({ repo } = await hubStore(hub));
  });

  test('EntryNotFound is a missing object', async () => {
    const { context } = recordingContext(hub, repo);
    await assert.rejects(new ResolveCache(context).target('packs/aa/missing.bin'), BlobNotFoundError);
  });

  test('RepoNotFound is the store failing, and says so', async () => {
    const { context } = recordingContext(hub, 'emulator/never-created');
    await assert.rejects(new ResolveCache(context).target('packs/aa/missing.bin'), (error: unknown) => {
      assert.ok(!(error instanceof BlobNotFoundError), 'not a missing object');
      assert.ok(error instanceof HubResponseError);
      assert.equal(error.status, 503);
      assert.match(error.message, /the dataset repo emulator\/never-created was not found/);
      return true;
    });
  });

  test('RevisionNotFound is the store failing, and says so', async () => {
    const { context } = recordingContext(hub, repo);
    const cache = new ResolveCache({ ...context, revision: 'gone' });
    await assert.rejects(cache.target('packs/aa/missing.bin'), (error: unknown) => {
      assert.ok(error instanceof HubResponseError);
      assert.match(error.message, /the branch gone of .* was not found/);
      return true;
    });
  });
});

function reopen(hub: HubEmulator, repo: string): Promise<HfDatasetStore> {
  return HfDatasetStore.open({
    hubUrl: hub.url,
    token: HUB_TOKEN,
    repo,
    createRepo: false,
    commitsPerHour: 1000,
    logger: quietLogger,
  });
}
