import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fsp, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, mock, test } from 'node:test';
import type { BlobStore } from '../../src/blobstore/blob-store.js';
import { LocalStore } from '../../src/blobstore/local-store.js';
import { tempDir } from '../helpers/temp.js';
import { bytesSource, fileSource, listAll, readAll, runStoreConformance } from './conformance.js';

const MiB = 1024 * 1024;

runStoreConformance('LocalStore', async (options) => {
  const dir = path.join(tempDir('hubdrive-local-store'), 'store');
  const store = await LocalStore.open({ dir, limits: options?.limits });
  return { store, reopen: () => LocalStore.open({ dir, limits: options?.limits }) };
});

/** The store folder's entries under `sub`, sorted; the store's own bookkeeping folders are `.staging` and `.journal`. */
function entries(dir: string, sub: string): string[] {
  return readdirSync(path.join(dir, sub)).sort();
}

async function put(store: BlobStore, key: string, bytes: Buffer): Promise<void> {
  await store.put(key, bytesSource(bytes));
}

async function get(store: BlobStore, key: string): Promise<Buffer> {
  return readAll(await store.get(key));
}

function ioError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated failure`), { code });
}

/**
 * Makes the store's renames fail from the `failFrom`-th one (1-based) on, `times` times, with EIO —
 * the way a disk error or a crash in the middle of applying a commit interrupts it. The store uses
 * the shared `fs.promises` object, so this reaches it without touching its internals.
 */
function failRenames(failFrom: number, times = Number.POSITIVE_INFINITY): { restore(): void } {
  const original = fsp.rename.bind(fsp);
  let calls = 0;
  let failed = 0;
  const m = mock.method(fsp, 'rename', async (from: string, to: string) => {
    calls++;
    if (calls >= failFrom && failed < times) {
      failed++;
      throw ioError('EIO');
    }
    return original(from, to);
  });
  return { restore: () => m.mock.restore() };
}

describe('LocalStore: crash safety', () => {
  test('a commit interrupted part-way through is completed when the store is opened again', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await LocalStore.open({ dir });
    const gone = randomBytes(10);
    await put(store, 'gone', gone);
    await put(store, 'replaced', randomBytes(11));
    await store.commit('base');

    const a = randomBytes(MiB + 3);
    const b = randomBytes(20);
    const c = randomBytes(21);
    await put(store, 'packs/aa/a.pack', a);
    await store.delete(['gone']);
    await put(store, 'packs/bb/b.pack', b);
    await put(store, 'replaced', c);
    // The first rename lands, then the "crash": the rest of the commit never runs.
    const failure = failRenames(2);
    try {
      await assert.rejects(store.commit('interrupted'));
    } finally {
      failure.restore();
    }
    // The crash left a journal and staged temps behind; the commit is half applied on disk.
    assert.equal(entries(dir, '.journal').length, 1);
    assert.ok(entries(dir, '.staging').length >= 1);

    // The process is gone; a new one opens the store.
    const again = await LocalStore.open({ dir });
    assert.deepEqual(await get(again, 'packs/aa/a.pack'), a);
    assert.deepEqual(await get(again, 'packs/bb/b.pack'), b);
    assert.deepEqual(await get(again, 'replaced'), c);
    assert.equal(await again.stat('gone'), null);
    assert.deepEqual(
      (await listAll(again, '')).map((e) => e.key),
      ['packs/aa/a.pack', 'packs/bb/b.pack', 'replaced'],
    );
    assert.deepEqual(entries(dir, '.journal'), []);
    assert.deepEqual(entries(dir, '.staging'), []);
    await again.close();
  });

  test('an interrupted commit is completed even when the store folder was moved before the restart', async () => {
    const parent = tempDir();
    const dir = path.join(parent, 'store');
    const store = await LocalStore.open({ dir });
    const a = randomBytes(100);
    const b = randomBytes(200);
    await put(store, 'a', a);
    await put(store, 'b', b);
    const failure = failRenames(2);
    try {
      await assert.rejects(store.commit('interrupted'));
    } finally {
      failure.restore();
    }
    const moved = path.join(parent, 'moved-store');
    renameSync(dir, moved);
    const again = await LocalStore.open({ dir: moved });
    assert.deepEqual(await get(again, 'a'), a);
    assert.deepEqual(await get(again, 'b'), b);
    await again.close();
  });

  test('a journal torn while being written is a commit that never happened', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await LocalStore.open({ dir });
    const base = randomBytes(10);
    await put(store, 'base', base);
    await store.commit('base');
    await put(store, 'new', randomBytes(12));
    await store.delete(['base']);
    // Let the journal be written, then stop the commit before it applies anything ...
    const failure = failRenames(1);
    try {
      await assert.rejects(store.commit('torn'));
    } finally {
      failure.restore();
    }
    const [journal] = entries(dir, '.journal');
    assert.ok(journal);
    // ... and tear the journal, as a crash in the middle of writing it would have.
    const journalFile = path.join(dir, '.journal', journal);
    const text = readFileSync(journalFile, 'utf8');
    writeFileSync(journalFile, text.slice(0, Math.floor(text.length / 2)));

    const again = await LocalStore.open({ dir });
    assert.deepEqual(await get(again, 'base'), base);
    assert.equal(await again.stat('new'), null);
    assert.deepEqual(entries(dir, '.journal'), []);
    assert.deepEqual(entries(dir, '.staging'), []);
    await again.close();
  });

  test('leftover .staging files from abandoned puts are removed on open', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await LocalStore.open({ dir });
    await put(store, 'x', randomBytes(1000));
    await put(store, 'y', randomBytes(1000));
    assert.equal(entries(dir, '.staging').length, 2);
    writeFileSync(path.join(dir, '.staging', 'half-written-temp'), randomBytes(10));
    // Abandoned: no commit, no close.
    const again = await LocalStore.open({ dir });
    assert.deepEqual(entries(dir, '.staging'), []);
    assert.deepEqual(await listAll(again, ''), []);
    await again.close();
  });

  test('a commit that failed can be retried, and the retry makes the staged objects visible', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await LocalStore.open({ dir });
    const x = randomBytes(50);
    await put(store, 'x', x);
    await store.commit('x');
    const y = randomBytes(60);
    const z = randomBytes(70);
    await store.delete(['x']);
    await put(store, 'y', y);
    await put(store, 'z', z);
    const failure = failRenames(2, 1); // a transient error in the middle of applying the commit
    try {
      await assert.rejects(store.commit('fails once'));
    } finally {
      failure.restore();
    }
    // The flusher retries a failed commit without putting again; the retry must not be an empty no-op.
    await store.commit('retry');
    assert.deepEqual(await get(store, 'y'), y);
    assert.deepEqual(await get(store, 'z'), z);
    assert.equal(await store.stat('x'), null);
    // A later commit writes x again; no leftover of the failed commit may delete it after a restart.
    const x2 = randomBytes(51);
    await put(store, 'x', x2);
    await store.commit('x again');
    await store.close();
    const again = await LocalStore.open({ dir });
    assert.deepEqual(await get(again, 'x'), x2);
    assert.deepEqual(await get(again, 'y'), y);
    assert.deepEqual(await get(again, 'z'), z);
    assert.deepEqual(entries(dir, '.journal'), []);
    await again.close();
  });

  test('a commit whose journal could not be written can be retried', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await LocalStore.open({ dir });
    const a = randomBytes(80);
    await put(store, 'a', a);
    const original = fsp.open.bind(fsp);
    let failed = false;
    const m = mock.method(fsp, 'open', async (file: string, ...rest: [string?]) => {
      if (!failed && file.includes(`${path.sep}.journal${path.sep}`)) {
        failed = true;
        throw ioError('ENOSPC');
      }
      return original(file, ...rest);
    });
    try {
      await assert.rejects(store.commit('disk full'), /ENOSPC/);
    } finally {
      m.mock.restore();
    }
    assert.ok(failed);
    assert.equal(await store.stat('a'), null);
    const result = await store.commit('retry');
    assert.equal(result.puts, 1);
    assert.deepEqual(await get(store, 'a'), a);
    await store.close();
  });

  test('a put whose bytes do not match the declared size is refused and stages nothing', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await LocalStore.open({ dir });
    const bytes = randomBytes(100);
    await assert.rejects(store.put('short', { ...bytesSource(bytes), size: 101 }));
    const file = path.join(tempDir(), 'src.bin');
    writeFileSync(file, bytes);
    await assert.rejects(store.put('short-path', { ...fileSource(file, bytes), size: 99 }));
    assert.deepEqual(entries(dir, '.staging'), []);
    const result = await store.commit('nothing');
    assert.equal(result.puts, 0);
    assert.deepEqual(await listAll(store, ''), []);
    await store.close();
  });
});

describe('LocalStore: ranged reads of a large object', () => {
  test('ranges near the end of a 64 MiB object are exact and read only the range', async () => {
    const dir = path.join(tempDir(), 'store');
    const store = await LocalStore.open({ dir });
    const size = 64 * MiB;
    const bytes = randomBytes(size);
    const file = path.join(tempDir(), 'big.bin');
    writeFileSync(file, bytes);
    await store.put('packs/ff/big.pack', fileSource(file, bytes));
    await store.commit('big');

    // Watch the positional reads the store's streams make, through the FileHandle prototype.
    const probe = await fsp.open(file, 'r');
    const proto = Object.getPrototypeOf(probe) as {
      read: (...args: unknown[]) => Promise<{ bytesRead: number }>;
    };
    await probe.close();
    const reads: { position: number; bytesRead: number }[] = [];
    const originalRead = proto.read;
    const m = mock.method(proto, 'read', async function (this: unknown, ...args: unknown[]) {
      const result = await originalRead.apply(this, args);
      reads.push({ position: Number(args[3]), bytesRead: result.bytesRead });
      return result;
    });
    try {
      const last = size - 1;
      const ranges = [
        { start: last, end: last },
        { start: last - 9, end: last },
        { start: last - MiB, end: last },
        { start: 63 * MiB - 3, end: 63 * MiB + 3 },
        { start: 48 * MiB, end: 48 * MiB },
        { start: 40 * MiB + 1, end: 42 * MiB + 1 },
      ];
      for (const range of ranges) {
        reads.length = 0;
        const got = await readAll(await store.get('packs/ff/big.pack', range));
        const want = bytes.subarray(range.start, range.end + 1);
        assert.equal(got.length, want.length);
        assert.ok(got.equals(want), `bytes ${range.start}-${range.end}`);
        assert.ok(reads.length > 0, 'the reads were observed');
        const first = Math.min(...reads.map((r) => r.position));
        const total = reads.reduce((sum, r) => sum + r.bytesRead, 0);
        assert.equal(first, range.start, `the first read starts at the range, not at byte 0`);
        assert.equal(total, want.length, 'no more bytes are read than the range holds');
      }
    } finally {
      m.mock.restore();
    }
    await store.close();
  });
});
