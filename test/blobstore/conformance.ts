/**
 * The blob store conformance suite. Every store (local folder, Hugging Face dataset, S3, WebDAV) runs
 * it unchanged, so it relies only on the contract in src/blobstore/blob-store.ts and the errors in
 * src/blobstore/errors.ts, never on how one store keeps its bytes.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';
import type {
  BlobSource,
  BlobStat,
  BlobStore,
  ByteRange,
  StoreLimits,
} from '../../src/blobstore/blob-store.js';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  InvalidBlobKeyError,
  RangeNotSatisfiableError,
} from '../../src/blobstore/errors.js';
import { tempDir } from '../helpers/temp.js';

export interface StoreUnderTest {
  /** A fresh, empty store. */
  store: BlobStore;
  /**
   * Opens the same store again from its durable state, as a new process would after a crash: the
   * suite abandons the earlier instance without calling `commit` or `close` on it first.
   */
  reopen(): Promise<BlobStore>;
}

export interface StoreFactoryOptions {
  /**
   * Limits to declare instead of the real ones, so that the suite can reach them cheaply. A factory
   * whose store cannot take overrides ignores this, and the tests that need it are skipped.
   */
  limits?: Partial<StoreLimits>;
}

export type StoreFactory = (options?: StoreFactoryOptions) => Promise<StoreUnderTest>;

const MiB = 1024 * 1024;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A source that streams `bytes` in pieces of `piece` bytes, so stores see a real multi-chunk stream. */
export function bytesSource(bytes: Buffer, piece = 64 * 1024): BlobSource {
  return {
    size: bytes.length,
    sha256: sha256(bytes),
    open: () => {
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += piece) pieces.push(bytes.subarray(at, at + piece));
      return Readable.from(pieces);
    },
  };
}

/** A source backed by a local file, offered both as `path` and as `open()`. */
export function fileSource(file: string, bytes: Buffer): BlobSource {
  return { size: bytes.length, sha256: sha256(bytes), path: file, open: () => createReadStream(file) };
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Uint8Array));
  return Buffer.concat(parts);
}

export async function listAll(store: BlobStore, prefix: string): Promise<BlobStat[]> {
  const out: BlobStat[] = [];
  for await (const entry of store.list(prefix)) out.push(entry);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

async function listKeys(store: BlobStore, prefix: string): Promise<string[]> {
  return (await listAll(store, prefix)).map((e) => e.key);
}

async function getBytes(store: BlobStore, key: string, range?: ByteRange): Promise<Buffer> {
  return readAll(await store.get(key, range));
}

async function putBytes(store: BlobStore, key: string, bytes: Buffer): Promise<void> {
  await store.put(key, bytesSource(bytes));
}

async function assertMissing(store: BlobStore, key: string): Promise<void> {
  assert.equal(await store.stat(key), null, `stat(${key}) should be null`);
  await assert.rejects(store.get(key), BlobNotFoundError, `get(${key}) should throw BlobNotFoundError`);
}

async function assertHolds(store: BlobStore, key: string, bytes: Buffer): Promise<void> {
  assert.deepEqual(await store.stat(key), { key, size: bytes.length }, `stat(${key})`);
  const got = await getBytes(store, key);
  assert.equal(got.length, bytes.length, `get(${key}) length`);
  assert.ok(got.equals(bytes), `get(${key}) should return the committed bytes exactly`);
}

function isSaneCount(value: number | null): boolean {
  return value === null || (Number.isSafeInteger(value) && value > 0);
}

/**
 * Registers the conformance tests for one kind of store. `factory` is called once per test (and once
 * more when a test needs small limits); each call must give a fresh, empty store.
 */
export function runStoreConformance(name: string, factory: StoreFactory): void {
  /** Opens a fresh store for one test and closes every instance the test touched when it ends. */
  async function withStore(
    t: TestContext,
    fn: (s: StoreUnderTest & { reopenTracked(): Promise<BlobStore> }) => Promise<void>,
    options?: StoreFactoryOptions,
  ): Promise<void> {
    const opened: BlobStore[] = [];
    const sut = await factory(options);
    opened.push(sut.store);
    const reopenTracked = async () => {
      const again = await sut.reopen();
      opened.push(again);
      return again;
    };
    t.after(async () => {
      for (const store of opened.reverse()) await store.close();
    });
    await fn({ ...sut, reopenTracked });
  }

  describe(`blob store conformance: ${name}`, () => {
    test('declares a kind and sane limits', async (t) => {
      await withStore(t, async ({ store }) => {
        assert.equal(typeof store.kind, 'string');
        assert.ok(store.kind.length > 0);
        const { maxObjectSize, maxEntriesPerFolder, commitsPerHour, maxOperationsPerCommit } = store.limits;
        assert.ok(
          Number.isSafeInteger(maxObjectSize) && maxObjectSize >= MiB,
          `maxObjectSize ${maxObjectSize}`,
        );
        assert.ok(isSaneCount(maxEntriesPerFolder), `maxEntriesPerFolder ${maxEntriesPerFolder}`);
        assert.ok(isSaneCount(commitsPerHour), `commitsPerHour ${commitsPerHour}`);
        assert.ok(isSaneCount(maxOperationsPerCommit), `maxOperationsPerCommit ${maxOperationsPerCommit}`);
      });
    });

    test('put, commit, get: whole objects byte-exact, including 0 bytes and several MiB', async (t) => {
      await withStore(t, async ({ store }) => {
        const objects = new Map<string, Buffer>([
          ['empty', Buffer.alloc(0)],
          ['one', Buffer.from([0x7f])],
          ['small.bin', randomBytes(1000)],
          ['big/multi.bin', randomBytes(5 * MiB + 7)],
        ]);
        for (const [key, bytes] of objects) await putBytes(store, key, bytes);
        const result = await store.commit('put four objects');
        assert.equal(result.puts, 4);
        assert.equal(result.deletes, 0);
        for (const [key, bytes] of objects) await assertHolds(store, key, bytes);
      });
    });

    test('put streams a many-piece open() source and a path source byte-exact', async (t) => {
      await withStore(t, async ({ store }) => {
        const streamed = randomBytes(3 * MiB + 1);
        await store.put('streamed', bytesSource(streamed, 4093));
        const onDisk = randomBytes(2 * MiB + 3);
        const file = path.join(tempDir('hubdrive-conformance-src'), 'source.bin');
        writeFileSync(file, onDisk);
        await store.put('from-path', fileSource(file, onDisk));
        await store.commit('two sources');
        await assertHolds(store, 'streamed', streamed);
        await assertHolds(store, 'from-path', onDisk);
      });
    });

    test('ranged get returns exactly the inclusive range', async (t) => {
      await withStore(t, async ({ store }) => {
        const bytes = randomBytes(3 * MiB + 11);
        const last = bytes.length - 1;
        await putBytes(store, 'ranged', bytes);
        await store.commit('ranged');
        const ranges: ByteRange[] = [
          { start: 0, end: 0 }, // first byte
          { start: last, end: last }, // last byte
          { start: 0, end: last }, // everything, as a range
          { start: 1000, end: 1999 }, // a middle range
          { start: 1234567, end: 1234567 }, // one byte in the middle
          { start: MiB - 5, end: MiB + 5 }, // across a MiB boundary
          { start: last - MiB, end: last }, // a suffix
          { start: 17, end: last - 17 }, // nearly everything
        ];
        for (const range of ranges) {
          const got = await getBytes(store, 'ranged', range);
          const want = bytes.subarray(range.start, range.end + 1);
          assert.equal(got.length, want.length, `length of ${range.start}-${range.end}`);
          assert.ok(got.equals(want), `bytes of ${range.start}-${range.end}`);
        }
      });
    });

    test('a range outside the object throws RangeNotSatisfiableError carrying the size', async (t) => {
      await withStore(t, async ({ store }) => {
        const bytes = randomBytes(100);
        await putBytes(store, 'hundred', bytes);
        await putBytes(store, 'empty', Buffer.alloc(0));
        await store.commit('two');
        const bad: [string, ByteRange, number][] = [
          ['hundred', { start: 100, end: 100 }, 100], // starts just past the end
          ['hundred', { start: 150, end: 200 }, 100], // wholly past the end
          ['hundred', { start: 50, end: 100 }, 100], // ends one past the end
          ['hundred', { start: 10, end: 9 }, 100], // end before start
          ['hundred', { start: -1, end: 5 }, 100], // negative start
          ['empty', { start: 0, end: 0 }, 0], // nothing to range over
        ];
        for (const [key, range, size] of bad) {
          await assert.rejects(
            store.get(key, range),
            (error: unknown) => error instanceof RangeNotSatisfiableError && error.size === size,
            `get(${key}, ${range.start}-${range.end})`,
          );
        }
        // The object is still readable afterwards.
        assert.ok((await getBytes(store, 'hundred', { start: 99, end: 99 })).equals(bytes.subarray(99)));
      });
    });

    test('readInto (when the store has it) fills the buffer from the position, byte-exact', async (t) => {
      await withStore(t, async ({ store }) => {
        if (!store.readInto) {
          t.skip('this store has no readInto');
          return;
        }
        const bytes = randomBytes(2 * MiB + 13);
        const last = bytes.length - 1;
        await putBytes(store, 'packs/ab/r.pack', bytes);
        await putBytes(store, 'empty', Buffer.alloc(0));
        await store.commit('readInto');
        const spans: [number, number][] = [
          [0, 1], // first byte
          [last, 1], // last byte
          [0, bytes.length], // everything
          [MiB - 3, 7], // across a MiB boundary
          [123_457, 1], // one byte in the middle
          [last - MiB, MiB + 1], // a suffix
          [5, 0], // nothing at all
        ];
        for (const [position, length] of spans) {
          const target = Buffer.alloc(length, 0xee);
          await store.readInto('packs/ab/r.pack', position, target);
          assert.ok(
            target.equals(bytes.subarray(position, position + length)),
            `${length} bytes at ${position}`,
          );
        }
        await assert.rejects(
          store.readInto('packs/ab/r.pack', last, Buffer.alloc(2)),
          RangeNotSatisfiableError,
        );
        await assert.rejects(
          store.readInto('packs/ab/r.pack', bytes.length, Buffer.alloc(1)),
          RangeNotSatisfiableError,
        );
        await assert.rejects(store.readInto('empty', 0, Buffer.alloc(1)), RangeNotSatisfiableError);
        for (const position of [-1, -3, 1.5, Number.NaN]) {
          await assert.rejects(
            store.readInto('packs/ab/r.pack', position, Buffer.alloc(3)),
            RangeNotSatisfiableError,
            `readInto at ${position}`,
          );
        }
        await assert.rejects(store.readInto('missing', 0, Buffer.alloc(1)), BlobNotFoundError);
        await assert.rejects(store.readInto('packs/ab', 0, Buffer.alloc(1)), BlobNotFoundError);
        await assert.rejects(store.readInto('empty/child', 0, Buffer.alloc(1)), BlobNotFoundError);
        await assert.rejects(store.readInto('../x', 0, Buffer.alloc(1)), InvalidBlobKeyError);
        // Staged objects are not readable before their commit.
        await putBytes(store, 'staged', randomBytes(10));
        await assert.rejects(store.readInto('staged', 0, Buffer.alloc(1)), BlobNotFoundError);
      });
    });

    test('get and stat of a missing key: BlobNotFoundError and null', async (t) => {
      await withStore(t, async ({ store }) => {
        await assertMissing(store, 'never-written');
        await assert.rejects(store.get('never-written', { start: 0, end: 0 }), BlobNotFoundError);
        await putBytes(store, 'packs/ab/one.pack', randomBytes(10));
        await putBytes(store, 'file', randomBytes(10));
        await store.commit('two');
        // A "folder" is not an object, and nothing lives under an object.
        await assertMissing(store, 'packs');
        await assertMissing(store, 'packs/ab');
        await assertMissing(store, 'packs/ab/one');
        await assertMissing(store, 'file/child');
        await assert.rejects(store.get('packs/ab', { start: 0, end: 0 }), BlobNotFoundError);
      });
    });

    test('list(prefix) gives exactly the committed keys under the prefix, with sizes', async (t) => {
      await withStore(t, async ({ store }) => {
        const objects: [string, number][] = [
          ['hubdrive.json', 12],
          ['packs/ab/ab01.pack', 30],
          ['packs/ab/ab02.pack', 0],
          ['packs/ac/ac01.pack', 31],
          ['packs/cd/cd01.pack', 32],
          ['packs-old/x.pack', 5],
          ['meta/snapshot/1.db.gz', 7],
          ['meta/journal/2.ndjson.gz', 8],
        ];
        for (const [key, size] of objects) await putBytes(store, key, randomBytes(size));
        await store.commit('layout');
        await putBytes(store, 'packs/ab/staged.pack', randomBytes(3)); // staged, never committed
        await putBytes(store, 'staged-root', randomBytes(3));

        const all = await listAll(store, '');
        assert.deepEqual(
          all,
          objects.map(([key, size]) => ({ key, size })).sort((a, b) => (a.key < b.key ? -1 : 1)),
        );
        const keys = (prefix: string) => listKeys(store, prefix);
        assert.deepEqual(await keys('packs/'), [
          'packs/ab/ab01.pack',
          'packs/ab/ab02.pack',
          'packs/ac/ac01.pack',
          'packs/cd/cd01.pack',
        ]);
        assert.deepEqual(await keys('packs/ab/'), ['packs/ab/ab01.pack', 'packs/ab/ab02.pack']);
        assert.deepEqual(await keys('packs/ab'), ['packs/ab/ab01.pack', 'packs/ab/ab02.pack']);
        // Prefixes that are not folder boundaries.
        assert.deepEqual(await keys('packs/a'), [
          'packs/ab/ab01.pack',
          'packs/ab/ab02.pack',
          'packs/ac/ac01.pack',
        ]);
        assert.deepEqual(await keys('packs/ab/ab0'), ['packs/ab/ab01.pack', 'packs/ab/ab02.pack']);
        assert.deepEqual(await keys('pack'), [
          'packs-old/x.pack',
          'packs/ab/ab01.pack',
          'packs/ab/ab02.pack',
          'packs/ac/ac01.pack',
          'packs/cd/cd01.pack',
        ]);
        assert.deepEqual(await keys('packs'), await keys('pack'));
        assert.deepEqual(await keys('m'), ['meta/journal/2.ndjson.gz', 'meta/snapshot/1.db.gz']);
        assert.deepEqual(await keys('hub'), ['hubdrive.json']);
        // A whole key as the prefix lists that key.
        assert.deepEqual(await keys('packs/cd/cd01.pack'), ['packs/cd/cd01.pack']);
        // Prefixes that match nothing.
        assert.deepEqual(await keys('nothing/'), []);
        assert.deepEqual(await keys('packs/zz/'), []);
        assert.deepEqual(await keys('hubdrive.json/'), []);
        assert.deepEqual(await keys('packs/cd/cd01.pack.more'), []);
        assert.deepEqual(await keys('../'), []);
        assert.deepEqual(await keys('/'), []);
        assert.deepEqual(await keys('.'), []);
      });
    });

    test('staged puts are invisible to get, stat and list until commit', async (t) => {
      await withStore(t, async ({ store }) => {
        const before = randomBytes(64);
        await putBytes(store, 'kept', before);
        await store.commit('first');
        const next = randomBytes(65);
        await putBytes(store, 'new/object', randomBytes(9));
        await putBytes(store, 'kept', next);
        await assertMissing(store, 'new/object');
        assert.deepEqual(await listKeys(store, ''), ['kept']);
        await assertHolds(store, 'kept', before);
        await store.commit('second');
        assert.deepEqual(await listKeys(store, ''), ['kept', 'new/object']);
        await assertHolds(store, 'kept', next);
      });
    });

    test('delete is staged, and applied at commit', async (t) => {
      await withStore(t, async ({ store }) => {
        const a = randomBytes(10);
        const b = randomBytes(20);
        await putBytes(store, 'dir/a', a);
        await putBytes(store, 'dir/b', b);
        await store.commit('two');
        await store.delete(['dir/a']);
        await assertHolds(store, 'dir/a', a);
        assert.deepEqual(await listKeys(store, 'dir/'), ['dir/a', 'dir/b']);
        const result = await store.commit('delete a');
        assert.equal(result.puts, 0);
        assert.equal(result.deletes, 1);
        await assertMissing(store, 'dir/a');
        await assertHolds(store, 'dir/b', b);
        assert.deepEqual(await listKeys(store, 'dir/'), ['dir/b']);
      });
    });

    test('deleting a key that does not exist commits without error', async (t) => {
      await withStore(t, async ({ store }) => {
        await store.delete(['not/there']);
        await store.commit('delete nothing');
        await assertMissing(store, 'not/there');
        assert.deepEqual(await listKeys(store, ''), []);
      });
    });

    test('put then delete of one key in one commit leaves it absent', async (t) => {
      await withStore(t, async ({ store }) => {
        const old = randomBytes(5);
        await putBytes(store, 'existing', old);
        await store.commit('first');
        await putBytes(store, 'fresh', randomBytes(5));
        await store.delete(['fresh']);
        await putBytes(store, 'existing', randomBytes(6));
        await store.delete(['existing']);
        await store.commit('put and delete');
        await assertMissing(store, 'fresh');
        await assertMissing(store, 'existing');
        assert.deepEqual(await listKeys(store, ''), []);
      });
    });

    test('delete then put of one key in one commit leaves the new bytes', async (t) => {
      await withStore(t, async ({ store }) => {
        await putBytes(store, 'key', randomBytes(5));
        await store.commit('first');
        const next = randomBytes(8);
        await store.delete(['key']);
        await putBytes(store, 'key', next);
        await store.commit('replace');
        await assertHolds(store, 'key', next);
      });
    });

    test('the last of several puts of one key before a commit wins', async (t) => {
      await withStore(t, async ({ store }) => {
        const last = randomBytes(33);
        await putBytes(store, 'key', randomBytes(31));
        await putBytes(store, 'key', randomBytes(32));
        await putBytes(store, 'key', last);
        await store.commit('three puts');
        await assertHolds(store, 'key', last);
        assert.deepEqual(await listAll(store, ''), [{ key: 'key', size: 33 }]);
      });
    });

    test('a committed key can be overwritten with a different size', async (t) => {
      await withStore(t, async ({ store }) => {
        await putBytes(store, 'obj', randomBytes(2 * MiB));
        await store.commit('v1');
        const v2 = randomBytes(3);
        await putBytes(store, 'obj', v2);
        await store.commit('v2');
        await assertHolds(store, 'obj', v2);
        assert.deepEqual(await listAll(store, ''), [{ key: 'obj', size: 3 }]);
        const v3 = randomBytes(MiB + 1);
        await putBytes(store, 'obj', v3);
        await store.commit('v3');
        await assertHolds(store, 'obj', v3);
      });
    });

    test('a commit with nothing staged is a no-op', async (t) => {
      await withStore(t, async ({ store }) => {
        const empty = await store.commit('nothing');
        assert.equal(empty.puts, 0);
        assert.equal(empty.deletes, 0);
        const bytes = randomBytes(12);
        await putBytes(store, 'a', bytes);
        const first = await store.commit('one');
        assert.equal(first.puts, 1);
        const again = await store.commit('nothing again');
        assert.equal(again.puts, 0);
        assert.equal(again.deletes, 0);
        await assertHolds(store, 'a', bytes);
        assert.deepEqual(await listKeys(store, ''), ['a']);
      });
    });

    test('a commit counts its puts and deletes', async (t) => {
      await withStore(t, async ({ store }) => {
        await putBytes(store, 'old', randomBytes(1));
        await store.commit('first');
        await putBytes(store, 'x', randomBytes(1));
        await putBytes(store, 'y', randomBytes(1));
        await store.delete(['old']);
        const result = await store.commit('mixed');
        assert.equal(result.puts, 2);
        assert.equal(result.deletes, 1);
      });
    });

    test('concurrent puts of different keys all land in one commit', async (t) => {
      await withStore(t, async ({ store }) => {
        const objects = Array.from({ length: 24 }, (_, i) => [`c/${i}`, randomBytes(1000 + i)] as const);
        await Promise.all(objects.map(([key, bytes]) => putBytes(store, key, bytes)));
        const result = await store.commit('many');
        assert.equal(result.puts, objects.length);
        for (const [key, bytes] of objects) await assertHolds(store, key, bytes);
      });
    });

    test('committed objects survive reopening the store', async (t) => {
      await withStore(t, async ({ store, reopenTracked }) => {
        const a = randomBytes(MiB + 5);
        const b = Buffer.alloc(0);
        await putBytes(store, 'packs/ab/a.pack', a);
        await putBytes(store, 'b', b);
        await store.commit('two');
        const again = await reopenTracked();
        await assertHolds(again, 'packs/ab/a.pack', a);
        await assertHolds(again, 'b', b);
        assert.deepEqual(await listKeys(again, ''), ['b', 'packs/ab/a.pack']);
      });
    });

    test('abandoning the store before commit (a crash) loses every staged change, and only those', async (t) => {
      await withStore(t, async ({ store, reopenTracked }) => {
        const kept = randomBytes(40);
        const doomed = randomBytes(41);
        await putBytes(store, 'kept', kept);
        await putBytes(store, 'doomed', doomed);
        await store.commit('base');
        await putBytes(store, 'new', randomBytes(7));
        await putBytes(store, 'packs/ab/new.pack', randomBytes(8));
        await putBytes(store, 'kept', randomBytes(42));
        await store.delete(['doomed']);
        // No commit, no close: the process is gone.
        const again = await reopenTracked();
        await assertHolds(again, 'kept', kept);
        await assertHolds(again, 'doomed', doomed);
        await assertMissing(again, 'new');
        await assertMissing(again, 'packs/ab/new.pack');
        assert.deepEqual(await listKeys(again, ''), ['doomed', 'kept']);
        // Nothing staged by the old instance is carried into the new one.
        const result = await again.commit('after restart');
        assert.equal(result.puts, 0);
        assert.equal(result.deletes, 0);
        assert.deepEqual(await listKeys(again, ''), ['doomed', 'kept']);
      });
    });

    test('close abandons staged changes', async (t) => {
      await withStore(t, async ({ store, reopenTracked }) => {
        await putBytes(store, 'base', randomBytes(3));
        await store.commit('base');
        await putBytes(store, 'staged', randomBytes(3));
        await store.delete(['base']);
        await store.close();
        const again = await reopenTracked();
        assert.deepEqual(await listKeys(again, ''), ['base']);
        await assertMissing(again, 'staged');
      });
    });

    test('invalid keys are rejected with InvalidBlobKeyError by every operation', async (t) => {
      await withStore(t, async ({ store }) => {
        await putBytes(store, 'ok', randomBytes(4));
        await store.commit('base');
        const invalid = [
          '../x',
          '/abs',
          '',
          'a//b',
          '.hidden',
          'a/.hidden',
          'a/',
          'a/../b',
          'a/./b',
          'x/..',
          'a\0b',
          'a\\..\\b',
        ];
        for (const key of invalid) {
          const shown = JSON.stringify(key);
          await assert.rejects(
            store.put(key, bytesSource(randomBytes(4))),
            InvalidBlobKeyError,
            `put ${shown}`,
          );
          await assert.rejects(store.get(key), InvalidBlobKeyError, `get ${shown}`);
          await assert.rejects(
            store.get(key, { start: 0, end: 0 }),
            InvalidBlobKeyError,
            `get range ${shown}`,
          );
          await assert.rejects(store.stat(key), InvalidBlobKeyError, `stat ${shown}`);
          await assert.rejects(store.delete([key]), InvalidBlobKeyError, `delete ${shown}`);
        }
        // A delete with one bad key among good ones stages nothing.
        await assert.rejects(store.delete(['ok', '../x']), InvalidBlobKeyError);
        const result = await store.commit('after rejections');
        assert.equal(result.puts, 0);
        assert.equal(result.deletes, 0);
        assert.deepEqual(await listKeys(store, ''), ['ok']);
      });
    });

    test('a put larger than limits.maxObjectSize is refused and stages nothing', async (t) => {
      const limit = 4096;
      await withStore(
        t,
        async ({ store }) => {
          if (store.limits.maxObjectSize !== limit) {
            t.skip('this store cannot take a smaller maxObjectSize for the test');
            return;
          }
          const fits = randomBytes(limit);
          await assert.rejects(store.put('too-big', bytesSource(randomBytes(limit + 1))), BlobTooLargeError);
          await store.put('fits', bytesSource(fits));
          const result = await store.commit('limits');
          assert.equal(result.puts, 1);
          await assertMissing(store, 'too-big');
          await assertHolds(store, 'fits', fits);
        },
        { limits: { maxObjectSize: limit } },
      );
    });
  });
}
