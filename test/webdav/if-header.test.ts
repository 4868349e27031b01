import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  evaluateIf,
  IfHeaderError,
  parseIfHeader,
  submittedTokens,
  type IfResourceState,
} from '../../src/webdav/locks/if-header.js';

describe('If header parser', () => {
  test('an untagged list with a token and an entity tag', () => {
    assert.deepEqual(parseIfHeader('(<urn:uuid:1> ["abc"])'), [
      {
        resource: null,
        conditions: [
          { not: false, token: 'urn:uuid:1' },
          { not: false, etag: '"abc"' },
        ],
      },
    ]);
  });

  test('several lists, Not, weak tags and extra spaces', () => {
    assert.deepEqual(parseIfHeader('  (Not <DAV:no-lock>)   ( not  [W/"x]y"] <urn:a>)'), [
      { resource: null, conditions: [{ not: true, token: 'DAV:no-lock' }] },
      {
        resource: null,
        conditions: [
          { not: true, etag: '"x]y"' },
          { not: false, token: 'urn:a' },
        ],
      },
    ]);
  });

  test('tagged lists carry their resource, each tag for the lists after it', () => {
    assert.deepEqual(parseIfHeader('<http://h/dav/a> (<urn:1>) (<urn:2>) </dav/b> (["e"])'), [
      { resource: 'http://h/dav/a', conditions: [{ not: false, token: 'urn:1' }] },
      { resource: 'http://h/dav/a', conditions: [{ not: false, token: 'urn:2' }] },
      { resource: '/dav/b', conditions: [{ not: false, etag: '"e"' }] },
    ]);
  });

  for (const bad of [
    '',
    '   ',
    '<urn:1>',
    '(<urn:1>',
    '()',
    '(urn:1)',
    '(<urn:1>) <http://h/a> (<urn:2>)',
    '<http://h/a> (<urn:1>) (<urn:2>) x',
    '(["unterminated])',
    '([abc])',
    '(<>)',
    '(Not)',
  ]) {
    test(`refuses ${JSON.stringify(bad)} with 400`, () => {
      assert.throws(
        () => parseIfHeader(bad),
        (error: unknown) => error instanceof IfHeaderError && error.status === 400,
      );
    });
  }
});

describe('If header evaluation', () => {
  const locked: IfResourceState = { etag: '"e1"', lockTokens: new Set(['urn:t1']) };
  const state = async () => locked;

  test('a list holds when all its conditions do; the header when any list does', async () => {
    assert.equal(await evaluateIf(parseIfHeader('(<urn:t1> ["e1"])'), state), true);
    assert.equal(await evaluateIf(parseIfHeader('(<urn:t1> ["e2"])'), state), false);
    assert.equal(await evaluateIf(parseIfHeader('(<urn:t2>) (["e1"])'), state), true);
    assert.equal(await evaluateIf(parseIfHeader('(<DAV:no-lock>)'), state), false);
    assert.equal(await evaluateIf(parseIfHeader('(Not <DAV:no-lock>)'), state), true);
    assert.equal(await evaluateIf(parseIfHeader('(Not <urn:t1>)'), state), false);
    assert.equal(await evaluateIf(parseIfHeader('([W/"e1"])'), state), true);
  });

  test('a resource that has no entity tag matches no tag', async () => {
    const folder = async (): Promise<IfResourceState> => ({ etag: null, lockTokens: new Set() });
    assert.equal(await evaluateIf(parseIfHeader('(["e1"])'), folder), false);
    assert.equal(await evaluateIf(parseIfHeader('(Not ["e1"])'), folder), true);
  });

  test('a list tagged with a resource of another server never holds', async () => {
    const byTag = async (resource: string | null) => (resource === null ? locked : null);
    assert.equal(await evaluateIf(parseIfHeader('<http://other/x> (Not <DAV:no-lock>)'), byTag), false);
  });

  test('submitted tokens are the ones named without Not', () => {
    const tokens = submittedTokens(parseIfHeader('(<urn:a> ["x"]) (Not <urn:b>) (<urn:c>)'));
    assert.deepEqual([...tokens].sort(), ['urn:a', 'urn:c']);
  });
});
