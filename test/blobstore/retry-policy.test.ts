import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoff, DEFAULT_RETRY, hintedDelay } from '../../src/blobstore/hf/retry-policy.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function answer(status: number, headers: Record<string, string>) {
  return { status, headers: new Headers(headers) };
}

describe('hintedDelay: RateLimit', () => {
  test('the reset time counts on a 429, whatever is left', () => {
    assert.equal(hintedDelay(answer(429, { RateLimit: '"api";r=3;t=42' }), NOW), 42_000);
  });

  test('the reset time counts when nothing is left (r=0), on any status', () => {
    assert.equal(hintedDelay(answer(503, { RateLimit: '"api";r=0;t=7' }), NOW), 7_000);
    assert.equal(hintedDelay(new Headers({ RateLimit: '"commits";r=0;t=9' }), NOW), 9_000);
  });

  test('a 5xx with calls to spare is not told to wait for the window to end', () => {
    assert.equal(hintedDelay(answer(503, { RateLimit: '"api";r=500;t=280' }), NOW), null);
    assert.equal(hintedDelay(answer(500, { RateLimit: '"api";t=280' }), NOW), null);
    assert.equal(hintedDelay(new Headers({ RateLimit: '"api";r=12;t=280' }), NOW), null);
  });

  test('r and t are read as parameters, not as parts of other names', () => {
    assert.equal(hintedDelay(answer(503, { RateLimit: '"api";pr=0;t=5' }), NOW), null);
    assert.equal(hintedDelay(answer(429, { RateLimit: '"api";r=0;xt=5' }), NOW), null);
  });
});

describe('hintedDelay: Retry-After', () => {
  test('seconds and HTTP dates', () => {
    assert.equal(hintedDelay(answer(503, { 'Retry-After': '5' }), NOW), 5_000);
    assert.equal(hintedDelay(answer(503, { 'Retry-After': ' 1.5 ' }), NOW), 1_500);
    const later = new Date(NOW + 30_000).toUTCString();
    assert.equal(hintedDelay(answer(503, { 'Retry-After': later }), NOW), 30_000);
  });

  test('a negative value or a date in the past floors at 0', () => {
    assert.equal(hintedDelay(answer(429, { 'Retry-After': '-5' }), NOW), 0);
    const past = new Date(NOW - 60_000).toUTCString();
    assert.equal(hintedDelay(answer(429, { 'Retry-After': past }), NOW), 0);
  });

  test('garbage is ignored (never NaN), and RateLimit still speaks', () => {
    for (const garbage of ['soon', 'NaN', 'Infinity', '1e400', '5 seconds', '12-13', '']) {
      const delay = hintedDelay(answer(503, { 'Retry-After': garbage }), NOW);
      assert.equal(delay, null, `Retry-After: ${JSON.stringify(garbage)}`);
    }
    assert.equal(hintedDelay(answer(429, { 'Retry-After': 'soon', RateLimit: '"api";r=0;t=3' }), NOW), 3_000);
  });
});

describe('backoff', () => {
  test('a hint is bounded and never negative or NaN', () => {
    assert.equal(backoff(DEFAULT_RETRY, 0, 0), 0);
    assert.equal(backoff(DEFAULT_RETRY, 0, -1), 0);
    assert.equal(backoff(DEFAULT_RETRY, 0, 1e12), DEFAULT_RETRY.maxDelayMs * 10);
    const wait = backoff(DEFAULT_RETRY, 2, Number.NaN);
    assert.ok(wait >= 1_000 && wait <= 2_000, `jittered back-off instead of NaN: ${wait}`);
  });
});
