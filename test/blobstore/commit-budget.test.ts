import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitBudget } from '../../src/blobstore/commit-budget.js';

test('a commit budget allows its count per rolling hour, then says how long to wait', () => {
  let now = 1_000_000;
  const budget = new CommitBudget(3, () => now);
  for (let i = 0; i < 3; i++) {
    assert.equal(budget.delay(), 0);
    budget.record();
    now += 60_000;
  }
  assert.equal(budget.remaining(), 0);
  // The first commit was 3 minutes ago; it leaves the window 57 minutes from now.
  assert.equal(budget.delay(), 57 * 60_000);
  now += 57 * 60_000;
  assert.equal(budget.delay(), 0);
  assert.equal(budget.remaining(), 1);
});

test('an unbounded budget never waits', () => {
  const budget = new CommitBudget(null);
  for (let i = 0; i < 1000; i++) budget.record();
  assert.equal(budget.delay(), 0);
  assert.equal(budget.remaining(), null);
});
