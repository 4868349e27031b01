import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSizeInput, sizeInputText } from '../../web/src/ui/size.js';

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;
const TB = 1024 * GB;

describe('parseSizeInput', () => {
  test('an empty text means no limit', () => {
    assert.deepEqual(parseSizeInput(''), { ok: true, bytes: null });
    assert.deepEqual(parseSizeInput('   '), { ok: true, bytes: null });
  });

  test('plain bytes and every unit, in any case, with or without a space', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['1048576', MB],
      ['12 B', 12],
      ['512KB', 512 * KB],
      ['512 KiB', 512 * KB],
      ['64 mb', 64 * MB],
      ['64MiB', 64 * MB],
      ['50 GB', 50 * GB],
      ['50 gib', 50 * GB],
      ['50G', 50 * GB],
      ['2 TB', 2 * TB],
      ['2TiB', 2 * TB],
      ['1.5 GB', 1.5 * GB],
      ['1,5 GB', 1.5 * GB],
      [' 7 k ', 7 * KB],
    ];
    for (const [text, bytes] of cases) assert.deepEqual(parseSizeInput(text), { ok: true, bytes }, text);
  });

  test('fractions of a byte are rounded to whole bytes', () => {
    assert.deepEqual(parseSizeInput('0.3 KB'), { ok: true, bytes: 307 });
  });

  test('anything else is refused', () => {
    for (const text of ['-1', 'GB', '1 PB', '1 GBs', '1e9', '1 2', 'fifty', '1.', '99999999999 TB']) {
      assert.deepEqual(parseSizeInput(text), { ok: false }, text);
    }
  });
});

describe('sizeInputText', () => {
  test('the largest unit that divides, else bytes; null is empty', () => {
    assert.equal(sizeInputText(null), '');
    assert.equal(sizeInputText(0), '0');
    assert.equal(sizeInputText(50 * GB), '50 GB');
    assert.equal(sizeInputText(1536 * MB), '1536 MB');
    assert.equal(sizeInputText(3 * TB), '3 TB');
    assert.equal(sizeInputText(1000), '1000');
  });

  test('parses back to the same bytes', () => {
    for (const bytes of [0, 1, 1000, KB, 1536 * KB, 50 * GB, 7 * TB + KB]) {
      assert.deepEqual(parseSizeInput(sizeInputText(bytes)), { ok: true, bytes });
    }
  });
});
