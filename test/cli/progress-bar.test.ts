import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressBar } from '../../src/cli/progress-bar.js';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, isTTY, columns: 60, write: (text: string) => written.push(text) };
}

test('not a terminal: a line per phase and per tenth of a known total, no redraws', () => {
  const out = stream(false);
  const bar = new ProgressBar(out);
  bar.update({ phase: 'checking manifests', done: 0, total: null, unit: 'items' });
  for (let done = 0; done <= 100; done += 5)
    bar.update({
      phase: 'verifying chunks',
      done: done * 1024 * 1024,
      total: 100 * 1024 * 1024,
      unit: 'bytes',
    });
  bar.update({ phase: 'done', done: 1, total: 1, unit: 'items' });
  bar.finish();
  const text = out.written.join('');
  assert.ok(!text.includes('\r'));
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'checking manifests…');
  assert.equal(lines[1], 'verifying chunks…');
  assert.equal(lines[2], 'verifying chunks: 10% (10 MiB of 100 MiB)');
  assert.equal(lines.filter((l) => l.startsWith('verifying chunks: ')).length, 10);
  assert.equal(lines.at(-1), 'verifying chunks: 100% (100 MiB of 100 MiB)');
});

test('a terminal: one line redrawn in place, within its width, and cleared at the end', () => {
  const out = stream(true);
  const bar = new ProgressBar(out);
  bar.update({ phase: 'repacking', done: 0, total: 200, unit: 'items' });
  bar.update({ phase: 'repacking', done: 200, total: 200, unit: 'items' });
  bar.finish();
  assert.ok(out.written.every((w) => w.startsWith('\r\x1b[2K')));
  assert.match(out.written[0]!, /repacking \[\.{24}\] 0% 0 of 200$/);
  assert.match(out.written[1]!, /repacking \[#{24}\] 100% 200 of 200$/);
  assert.ok(out.written.every((w) => w.length - '\r\x1b[2K'.length <= 59));
  assert.equal(out.written.at(-1), '\r\x1b[2K');
});
