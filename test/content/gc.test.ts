import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { FsckProblemKind } from '../../src/content/consistency-check.js';
import { GcRefusedError } from '../../src/content/garbage-collector.js';
import type { IngestPins } from '../../src/content/ingest-pins.js';
import { pseudoRandom } from '../helpers/data.js';
import { localStoreDir, openDrive, SMALL_CONTENT_ENV, streamOf, type OpenDrive } from '../helpers/drive.js';
import { assertConsistent, MANUAL, purge, readFile, storeObjects, writeFlushed } from '../helpers/repack.js';

const ENV = { ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600', GC_INTERVAL: '0' };

async function drive(): Promise<OpenDrive> {
  return openDrive(ENV, { repack: MANUAL });
}

/** Kinds of the problems fsck reports, sorted. */
async function problemKinds(
  d: OpenDrive,
  options: Parameters<OpenDrive['app']['drive']['maintenance']['fsck']>[0] = {},
) {
  const report = await d.app.drive.maintenance.fsck(options);
  return { report, kinds: report.problems.map((p) => p.kind).sort() as FsckProblemKind[] };
}

async function dbSnapshot(d: OpenDrive): Promise<string> {
  const chunks = await d.app.db.selectFrom('chunks').selectAll().orderBy('id').execute();
  const packs = await d.app.db.selectFrom('packs').selectAll().orderBy('id').execute();
  const manifests = await d.app.db.selectFrom('manifests').select(['id', 'refcount']).orderBy('id').execute();
  return JSON.stringify({ chunks, packs, manifests });
}

describe('gc', () => {
  test('drops what nothing uses, rewrites mostly dead packs, deletes the rest; files read back; twice is a no-op', async () => {
    const d = await drive();
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 10; i++) {
      const data = pseudoRandom(900_000, 7100 + i);
      files.set(`/f${i}.bin`, data);
      await d.app.drive.files.write(d.admin, `/f${i}.bin`, streamOf(data));
    }
    await d.app.engine.flush();
    const before = await storeObjects(d.app);
    const clean = await d.app.drive.maintenance.fsck({ verify: true });
    assert.equal(clean.problemCount, 0, JSON.stringify(clean.problems));
    assert.ok(clean.checked.chunksVerified > 0);

    for (let i = 0; i < 10; i++) {
      if (i === 3) continue;
      await d.app.drive.tree.remove(d.admin, `/f${i}.bin`);
      files.delete(`/f${i}.bin`);
    }
    // In the trash they are still in use: nothing of theirs may go.
    const kept = await d.app.drive.maintenance.gc();
    assert.equal(kept.chunksDropped, 0);
    assert.equal(kept.packsDeleted, 0);
    assert.deepEqual(await storeObjects(d.app), before);
    await d.app.drive.trash.empty(d.admin);
    assert.equal((await d.app.drive.maintenance.fsck()).problemCount, 0);

    const snapshot = await dbSnapshot(d);
    const plan = await d.app.drive.maintenance.gc({ dryRun: true });
    assert.equal(plan.dryRun, true);
    assert.ok(plan.chunksDropped > 0 && plan.packsDeleted > 0, JSON.stringify(plan));
    assert.equal(await dbSnapshot(d), snapshot, 'a dry run changes nothing');
    assert.deepEqual(await storeObjects(d.app), before);

    const report = await d.app.drive.maintenance.gc();
    assert.equal(report.chunksDropped, plan.chunksDropped);
    assert.equal(report.bytesDropped, plan.bytesDropped);
    assert.equal(report.packsRepacked, plan.packsRepacked);
    assert.equal(report.bytesMoved, plan.bytesMoved);
    assert.equal(report.packsDeleted, plan.packsDeleted);
    assert.ok(report.storeBytesAfter < report.storeBytesBefore / 4, JSON.stringify(report));
    assert.equal(report.historyReclaimed, false, 'a local folder keeps no history');
    await assertConsistent(d.app);
    for (const [file, data] of files) assert.ok((await readFile(d, file)).equals(data), `${file} differs`);
    const after = await d.app.drive.maintenance.fsck({ verify: true });
    assert.equal(after.problemCount, 0, JSON.stringify(after.problems));

    const again = await d.app.drive.maintenance.gc();
    assert.equal(again.chunksDropped + again.packsRepacked + again.packsDeleted + again.orphansDeleted, 0);
  });

  test('a high threshold rewrites each pack once: gc never takes its own fresh packs for dead ones', async () => {
    const d = await drive();
    // Tiny files: each pack's trailer alone keeps it under 0.99 live, new ones too.
    for (let i = 0; i < 12; i++) await writeFlushed(d, `/t${i}.txt`, pseudoRandom(700, 7300 + i));
    const packs = (await storeObjects(d.app)).filter((k) => k.startsWith('packs/')).length;
    const report = await d.app.drive.maintenance.gc({ liveRatio: 0.99 });
    assert.ok(report.packsRepacked > 0 && report.packsRepacked <= packs, JSON.stringify(report));
    for (let i = 0; i < 12; i++)
      assert.ok((await readFile(d, `/t${i}.txt`)).equals(pseudoRandom(700, 7300 + i)));
    await assertConsistent(d.app);
  });

  test('a chunk a write in flight has found survives gc, though nothing referenced it', async () => {
    const d = await drive();
    // Two packs of it, and a newer pack after them, so that gc may look at both.
    const data = pseudoRandom(6_000_000, 7200);
    await writeFlushed(d, '/a.bin', data);
    await writeFlushed(d, '/other.bin', pseudoRandom(300_000, 7201));
    await purge(d, '/a.bin');
    // The same bytes again, held after the first 800 KB: its first chunks are found, and pinned.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const body = Readable.from(
      (async function* () {
        yield data.subarray(0, 800_000);
        await held;
        yield data.subarray(800_000);
      })(),
    );
    const writing = d.app.drive.files.write(d.admin, '/a.bin', body);
    // The engine's pins are private; the test waits until the write has found a chunk.
    const pins = (d.app.engine as unknown as { pins: IngestPins }).pins;
    while (pins.pinnedChunks().size === 0) await new Promise((resolve) => setImmediate(resolve));
    const report = await d.app.drive.maintenance.gc();
    release();
    await writing;
    await d.app.engine.flush();
    assert.ok(report.chunksDropped > 0, 'the chunks not found were dropped');
    assert.ok((await readFile(d, '/a.bin')).equals(data), 'the file reads back whole');
    await assertConsistent(d.app);
    assert.equal((await d.app.drive.maintenance.fsck({ verify: true })).problemCount, 0);
  });

  test('a large upload in flight keeps its committed packs, which no row names yet', async () => {
    const d = await drive();
    await writeFlushed(d, '/old.bin', pseudoRandom(1_000_000, 7250));
    await purge(d, '/old.bin');
    const data = pseudoRandom(10_000_000, 7251);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const body = Readable.from(
      (async function* () {
        yield data.subarray(0, 6_000_000);
        await held;
        yield data.subarray(6_000_000);
      })(),
    );
    const committed = async () =>
      (await d.app.db.selectFrom('packs').select('id').where('state', '=', 'committed').execute()).length;
    const before = await committed();
    const writing = d.app.drive.files.write(d.admin, '/big.bin', body);
    // Its first pack fills up (4 MiB) and is committed at once, before any row names its chunks.
    while ((await committed()) === before) await new Promise((resolve) => setImmediate(resolve));
    await d.app.drive.maintenance.gc();
    release();
    await writing;
    await d.app.engine.flush();
    assert.ok((await readFile(d, '/big.bin')).equals(data), 'the file reads back whole');
    await assertConsistent(d.app);
    assert.equal((await d.app.drive.maintenance.fsck({ verify: true })).problemCount, 0);
  });

  test('refuses to start on wrong reference counts, and changes nothing', async () => {
    const d = await drive();
    await writeFlushed(d, '/a.bin', pseudoRandom(600_000, 7300));
    await writeFlushed(d, '/b.bin', pseudoRandom(600_000, 7301));
    await d.app.db.updateTable('chunks').set({ refcount: 0 }).execute();
    const snapshot = await dbSnapshot(d);
    await assert.rejects(d.app.drive.maintenance.gc(), (error: unknown) => {
      assert.ok(error instanceof GcRefusedError);
      assert.equal(error.status, 409);
      assert.match(error.message, /fsck --repair/);
      return true;
    });
    assert.equal(await dbSnapshot(d), snapshot);
  });

  test('one at a time: a second gc or fsck while one runs is refused with 409', async () => {
    const d = await drive();
    await writeFlushed(d, '/a.bin', pseudoRandom(600_000, 7400));
    const first = d.app.drive.maintenance.fsck({ verify: true });
    await assert.rejects(d.app.drive.maintenance.gc(), { status: 409, code: 'MAINTENANCE_RUNNING' });
    await first;
    assert.equal((await d.app.drive.maintenance.gc()).chunksDropped, 0);
  });
});

describe('fsck', () => {
  test('finds wrong counts, missing, resized and orphan objects, and corrupt chunks; repair fixes counts only', async () => {
    const d = await drive();
    const a = pseudoRandom(700_000, 7500);
    await writeFlushed(d, '/a.bin', a);
    await writeFlushed(d, '/b.bin', pseudoRandom(700_000, 7501));
    await writeFlushed(d, '/c.bin', pseudoRandom(700_000, 7502));
    const packs = await d.app.db.selectFrom('packs').select(['id', 'key']).orderBy('id').execute();
    assert.equal(packs.length, 3);
    const dir = localStoreDir(d.app);
    const [first, second, third] = packs.map((p) => path.join(dir, p.key!));

    // Counts: a manifest, a chunk, a pack's live bytes.
    const manifest = await d.app.db
      .selectFrom('manifests')
      .select('id')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await d.app.db.updateTable('manifests').set({ refcount: 3 }).where('id', '=', manifest.id).execute();
    const chunk = await d.app.db
      .selectFrom('chunks')
      .select(['id', 'refcount'])
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await d.app.db.updateTable('chunks').set({ refcount: 9 }).where('id', '=', chunk.id).execute();
    await d.app.db.updateTable('packs').set({ live_bytes: 5 }).where('id', '=', packs[1]!.id).execute();
    // The store: one pack gone, one cut short, one flipped byte in the first, and a stray object.
    await fs.rm(third!);
    await fs.truncate(second!, 1000);
    const bytes = await fs.readFile(first!);
    bytes[100] = bytes[100]! ^ 0xff;
    await fs.writeFile(first!, bytes);
    await fs.mkdir(path.join(dir, 'packs', 'zz'), { recursive: true });
    await fs.writeFile(path.join(dir, 'packs', 'zz', 'stray.pack'), 'not a pack');
    await fs.mkdir(path.join(dir, 'meta', 'journal'), { recursive: true });
    await fs.writeFile(path.join(dir, 'meta', 'journal', '0000000000000001.ndjson.gz'), 'metadata');
    await fs.writeFile(path.join(dir, 'README.md'), 'the owner keeps a note beside the drive');

    const { report, kinds } = await problemKinds(d, { verify: true });
    assert.deepEqual(
      [...new Set(kinds)],
      [
        'chunk-refcount',
        'corrupt-chunk',
        'live-bytes',
        'manifest-refcount',
        'missing-object',
        'object-size',
        'orphan-object',
      ],
    );
    const orphan = report.problems.find((p) => p.kind === 'orphan-object')!;
    assert.equal(
      orphan.key,
      'packs/zz/stray.pack',
      'objects outside packs/ (meta/, a README) are not orphans',
    );
    assert.equal(report.problems.filter((p) => p.kind === 'orphan-object').length, 1);
    const wrongChunk = report.problems.find((p) => p.kind === 'chunk-refcount')!;
    assert.deepEqual(
      { chunk: wrongChunk.chunk, expected: wrongChunk.expected, actual: wrongChunk.actual },
      { chunk: chunk.id.toString('hex'), expected: chunk.refcount, actual: 9 },
    );
    const wrongManifest = report.problems.find((p) => p.kind === 'manifest-refcount')!;
    assert.deepEqual(
      { manifest: wrongManifest.manifest, expected: wrongManifest.expected, actual: wrongManifest.actual },
      { manifest: manifest.id, expected: 1, actual: 3 },
    );
    assert.equal(report.problems.find((p) => p.kind === 'missing-object')!.key, packs[2]!.key);
    assert.equal(report.problems.find((p) => p.kind === 'corrupt-chunk')!.pack, packs[0]!.id);
    assert.equal(report.repaired, 0, 'without --repair nothing is changed');

    // --repair --dry-run: what would change, and nothing does.
    const snapshot = await dbSnapshot(d);
    const dry = await d.app.drive.maintenance.fsck({ repair: true, dryRun: true });
    assert.equal(dry.repaired, 3);
    assert.equal(await dbSnapshot(d), snapshot);

    const repaired = await d.app.drive.maintenance.fsck({ repair: true });
    assert.equal(repaired.repaired, 3);
    const { kinds: left } = await problemKinds(d);
    assert.deepEqual([...new Set(left)], ['missing-object', 'object-size', 'orphan-object']);
  });

  test('repair forgets a manifest no version uses, and recounts its chunks', async () => {
    const d = await drive();
    await writeFlushed(d, '/a.bin', pseudoRandom(700_000, 7600));
    await writeFlushed(d, '/b.bin', pseudoRandom(700_000, 7601));
    // As if a version had been deleted without releasing its manifest.
    const version = await d.app.db
      .selectFrom('versions')
      .select(['id', 'node_id'])
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await d.app.db.updateTable('nodes').set({ version_id: null }).where('id', '=', version.node_id).execute();
    await d.app.db.deleteFrom('versions').where('id', '=', version.id).execute();
    await d.app.db.deleteFrom('nodes').where('id', '=', version.node_id).execute();
    const { kinds } = await problemKinds(d);
    assert.deepEqual(kinds, ['manifest-refcount']);
    const dry = await d.app.drive.maintenance.fsck({ repair: true, dryRun: true });
    assert.ok(
      dry.problems.some((p) => p.kind === 'chunk-refcount'),
      'the repair would recount its chunks',
    );
    assert.ok(dry.problems.some((p) => p.kind === 'live-bytes'));
    const repaired = await d.app.drive.maintenance.fsck({ repair: true });
    assert.equal(repaired.repaired, dry.repaired);
    assert.equal((await d.app.drive.maintenance.fsck()).problemCount, 0);
    await assertConsistent(d.app);
    const report = await d.app.drive.maintenance.gc();
    assert.ok(report.packsDeleted >= 1, 'its pack is now garbage');
    assert.equal((await d.app.drive.maintenance.fsck({ verify: true })).problemCount, 0);
  });
});
