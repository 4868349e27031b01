import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LockManager, type ActiveLock, type NewLock } from '../../src/webdav/locks/lock-manager.js';

function manager() {
  let now = 1_000_000;
  const locks = new LockManager({ now: () => now });
  return { locks, advance: (ms: number) => (now += ms) };
}

function take(locks: LockManager, request: Partial<NewLock> & { path: string }): ActiveLock {
  const result = locks.create({
    userId: 1,
    scope: 'exclusive',
    depth: 'infinity',
    owner: null,
    timeoutSeconds: 60,
    ...request,
  });
  assert.ok('lock' in result, `expected a lock on ${request.path}`);
  return result.lock;
}

function conflicts(locks: LockManager, request: Partial<NewLock> & { path: string }): boolean {
  const result = locks.create({
    userId: 1,
    scope: 'exclusive',
    depth: 'infinity',
    owner: null,
    timeoutSeconds: 60,
    ...request,
  });
  return 'conflict' in result;
}

describe('lock manager', () => {
  test('tokens are unique urn:uuid state tokens', () => {
    const { locks } = manager();
    const a = take(locks, { path: '/a' });
    const b = take(locks, { path: '/b' });
    assert.match(a.token, /^urn:uuid:[0-9a-f-]{36}$/);
    assert.notEqual(a.token, b.token);
    assert.equal(locks.get(a.token), a);
  });

  test('an exclusive lock conflicts with any other; shared locks share', () => {
    const { locks } = manager();
    take(locks, { path: '/s', scope: 'shared' });
    take(locks, { path: '/s', scope: 'shared' });
    assert.equal(conflicts(locks, { path: '/s', scope: 'exclusive' }), true);
    take(locks, { path: '/x' });
    assert.equal(conflicts(locks, { path: '/x', scope: 'shared' }), true);
  });

  test('depth infinity covers descendants, depth 0 only the resource', () => {
    const { locks } = manager();
    const deep = take(locks, { path: '/d' });
    const flat = take(locks, { path: '/f', depth: '0' });
    assert.deepEqual(locks.covering(1, '/d/a/b'), [deep]);
    assert.deepEqual(locks.covering(1, '/f'), [flat]);
    assert.deepEqual(locks.covering(1, '/f/a'), []);
    assert.deepEqual(locks.covering(1, '/dd'), []);
    assert.equal(conflicts(locks, { path: '/d/a', depth: '0' }), true);
    assert.equal(conflicts(locks, { path: '/f/a' }), false);
  });

  test('a depth-infinity lock conflicts with a lock below it', () => {
    const { locks } = manager();
    take(locks, { path: '/p/q/r', depth: '0' });
    assert.equal(conflicts(locks, { path: '/p' }), true);
    assert.equal(conflicts(locks, { path: '/p', depth: '0' }), false);
    assert.equal(locks.below(1, '/p').length, 1);
  });

  test('users never see each other’s locks', () => {
    const { locks } = manager();
    take(locks, { path: '/a' });
    assert.equal(conflicts(locks, { path: '/a', userId: 2 }), false);
    assert.equal(locks.covering(2, '/a').length, 1);
    assert.equal(locks.covering(3, '/a').length, 0);
  });

  test('locks expire, and a refresh starts the timeout again', () => {
    const { locks, advance } = manager();
    const a = take(locks, { path: '/a', timeoutSeconds: 10 });
    advance(9_000);
    assert.ok(locks.refresh(a.token, 10));
    advance(9_000);
    assert.equal(locks.covering(1, '/a').length, 1);
    advance(2_000);
    assert.equal(locks.get(a.token), undefined);
    assert.equal(locks.covering(1, '/a').length, 0);
    assert.equal(conflicts(locks, { path: '/a' }), false);
  });

  test('release and removeTree drop locks', () => {
    const { locks } = manager();
    const a = take(locks, { path: '/a', depth: '0' });
    const ab = take(locks, { path: '/a/b', depth: '0' });
    const other = take(locks, { path: '/ab', depth: '0' });
    locks.removeTree(1, '/a');
    assert.equal(locks.get(a.token), undefined);
    assert.equal(locks.get(ab.token), undefined);
    assert.equal(locks.get(other.token), other);
    assert.equal(locks.release(other.token), true);
    assert.equal(locks.release(other.token), false);
  });
});
