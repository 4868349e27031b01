import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { GcScheduler } from '../../src/app/gc-scheduler.js';
import type { GcReport } from '../../src/content/garbage-collector.js';
import { pseudoRandom } from '../helpers/data.js';
import { openDrive, SMALL_CONTENT_ENV } from '../helpers/drive.js';
import { purge, storeObjects, writeFlushed } from '../helpers/repack.js';
import { until } from '../helpers/wait.js';

const quiet = pino({ level: 'silent' });

test('a turn is skipped while a gc (or an fsck) runs, and none starts once stopped', async () => {
  const finish: (() => void)[] = [];
  const maintenance = {
    busy: false,
    runs: 0,
    gc(): Promise<GcReport> {
      this.runs++;
      return new Promise((resolve) => finish.push(() => resolve({} as GcReport)));
    },
  };
  const scheduler = new GcScheduler({ intervalMs: null, maintenance, logger: quiet });
  assert.equal(scheduler.runDue(), true);
  assert.equal(scheduler.runDue(), false, 'the first run is still under way');
  finish.shift()!();
  await new Promise((resolve) => setImmediate(resolve));
  maintenance.busy = true;
  assert.equal(scheduler.runDue(), false, 'a gc or fsck asked for by hand is under way');
  maintenance.busy = false;
  assert.equal(scheduler.runDue(), true);
  finish.shift()!();
  scheduler.stop();
  assert.equal(scheduler.runDue(), false);
  assert.equal(maintenance.runs, 2);
});

test('the app runs gc by itself every GC_INTERVAL', async () => {
  const drive = await openDrive(
    { ...SMALL_CONTENT_ENV, FLUSH_INTERVAL: '3600' },
    { repack: { graceMs: 0 } },
    { gcIntervalMs: 200 },
  );
  const { app } = drive;
  await writeFlushed(drive, '/a.bin', pseudoRandom(1_000_000, 8700));
  await writeFlushed(drive, '/b.bin', pseudoRandom(1_000_000, 8701));
  const before = await storeObjects(app);
  await purge(drive, '/a.bin');
  // No timing is asserted: the test waits until the scheduled gc has deleted the dead pack.
  await until(
    'the scheduled gc to delete the dead pack',
    async () => (await storeObjects(app)).length !== before.length,
    Number.POSITIVE_INFINITY,
    50,
  );
  assert.equal((await storeObjects(app)).length, before.length - 1);
});

test('the schedule counts from the last run kept in the metadata: restarts do not push gc back', async () => {
  let runs = 0;
  const maintenance = {
    busy: false,
    gc(): Promise<GcReport> {
      runs++;
      return Promise.resolve({} as GcReport);
    },
  };
  const kept: number[] = [Date.now() - 3_600_000 + 100];
  const clock = {
    read: () => Promise.resolve(kept.at(-1) ?? null),
    write: (at: number) => {
      kept.push(at);
      return Promise.resolve();
    },
  };
  // An hour's interval, of which all but 100 ms passed before this start.
  const scheduler = new GcScheduler({ intervalMs: 3_600_000, maintenance, logger: quiet, clock });
  await scheduler.start();
  await new Promise((resolve) => setTimeout(resolve, 400));
  scheduler.stop();
  assert.equal(runs, 1);
  assert.ok(kept.at(-1)! > Date.now() - 1000, 'the run is recorded');

  // A first start with nothing kept records itself and counts from there.
  const fresh: number[] = [];
  const first = new GcScheduler({
    intervalMs: 3_600_000,
    maintenance,
    logger: quiet,
    clock: { read: () => Promise.resolve(null), write: (at) => Promise.resolve(void fresh.push(at)) },
  });
  await first.start();
  first.stop();
  assert.equal(fresh.length, 1);
  assert.equal(runs, 1);
});
