import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { elementsOf, parseXml, textOf } from '../../src/webdav/xml/xml-parse.js';
import { DavClient, propfindBody, propOf, responses } from './support.js';

let dav: DavClient;

before(async () => {
  const { origin } = await startApp();
  dav = new DavClient(origin, 'admin', ADMIN_PASSWORD);
});

function ifToken(token: string): Record<string, string> {
  return { if: `(<${token}>)` };
}

describe('exclusive locks', () => {
  test('LOCK answers the lock; writes without its token are 423, with it they pass', async () => {
    assert.equal((await dav.put('/locked.txt', 'v1')).status, 201);
    const owner = '<D:owner><D:href>mailto:me@example.com</D:href></D:owner>';
    const locked = await dav.lock('/locked.txt', { owner, headers: { timeout: 'Second-600' } });
    assert.equal(locked.status, 200, locked.text);
    assert.match(locked.token ?? '', /^urn:uuid:/);
    const active = elementsOf(elementsOf(elementsOf(parseXml(locked.text))[0]!)[0]!);
    const field = (name: string) => active.find((e) => e.name === name)!;
    assert.equal(textOf(field('depth')), 'infinity');
    assert.match(textOf(field('timeout')), /^Second-(600|599)$/);
    assert.equal(textOf(elementsOf(field('locktoken'))[0]!), locked.token);
    assert.equal(textOf(elementsOf(field('owner'))[0]!), 'mailto:me@example.com');
    assert.equal(textOf(elementsOf(field('lockroot'))[0]!), '/dav/locked.txt');

    const refused = await dav.put('/locked.txt', 'v2');
    assert.equal(refused.status, 423);
    assert.match(refused.text, /lock-token-submitted/);
    assert.match(refused.text, /\/dav\/locked\.txt/);
    assert.equal((await dav.request('DELETE', '/locked.txt')).status, 423);
    const patch =
      '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:x">1</x></D:prop></D:set></D:propertyupdate>';
    assert.equal((await dav.request('PROPPATCH', '/locked.txt', { body: patch })).status, 423);
    assert.equal(
      (await dav.request('MOVE', '/locked.txt', { headers: { destination: dav.url('/m.txt') } })).status,
      423,
    );
    assert.equal((await dav.put('/locked.txt', 'v2', ifToken(locked.token!))).status, 204);
    assert.equal((await dav.request('GET', '/locked.txt')).text, 'v2');
  });

  test('a second exclusive or shared lock is 423; lockdiscovery shows the lock', async () => {
    const first = await dav.lock('/disc.txt');
    assert.equal(first.status, 201, 'locking an unmapped URL creates the file');
    assert.equal((await dav.lock('/disc.txt')).status, 423);
    assert.equal((await dav.lock('/disc.txt', { scope: 'shared' })).status, 423);
    const found = responses((await dav.propfind('/disc.txt', '0', propfindBody('<D:lockdiscovery/>'))).text);
    const discovery = propOf(found.get('/dav/disc.txt')!, 'DAV:', 'lockdiscovery')!;
    assert.equal(elementsOf(discovery.element).length, 1);
    assert.equal((await dav.request('GET', '/disc.txt')).text, '');
  });

  test('a wrong token is 412 (the If header fails); a malformed If is 400', async () => {
    const locked = await dav.lock('/wrong.txt');
    assert.equal(locked.status, 201);
    assert.equal(
      (await dav.put('/wrong.txt', 'x', ifToken('urn:uuid:00000000-0000-0000-0000-000000000000'))).status,
      412,
    );
    assert.equal((await dav.put('/wrong.txt', 'x', { if: '(<unclosed' })).status, 400);
    // A list that holds without naming the token does not unlock the resource.
    assert.equal((await dav.put('/wrong.txt', 'x', { if: '(Not <DAV:no-lock>)' })).status, 423);
  });

  test('If with an entity tag, tagged lists, and Not', async () => {
    const locked = await dav.lock('/cond.txt');
    const etag = (await dav.request('HEAD', '/cond.txt')).headers.get('etag')!;
    assert.equal((await dav.put('/cond.txt', 'x', { if: `(<${locked.token}> [${etag}])` })).status, 204);
    assert.equal((await dav.put('/cond.txt', 'y', { if: `(<${locked.token}> [${etag}])` })).status, 412);
    const tagged = `<${dav.url('/cond.txt')}> (<${locked.token}>)`;
    assert.equal((await dav.put('/cond.txt', 'z', { if: tagged })).status, 204);
    const otherTag = `<${dav.url('/elsewhere.txt')}> (<${locked.token}>)`;
    assert.equal((await dav.put('/cond.txt', 'z', { if: otherTag })).status, 412);
  });

  test('refresh: LOCK without a body and the token in If', async () => {
    const locked = await dav.lock('/refresh.txt', { headers: { timeout: 'Second-100' } });
    const refreshed = await dav.request('LOCK', '/refresh.txt', {
      headers: { ...ifToken(locked.token!), timeout: 'Infinite' },
    });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.match(refreshed.text, /Second-36\d\d/);
    const none = await dav.request('LOCK', '/refresh.txt', { headers: ifToken('urn:uuid:unknown') });
    assert.equal(none.status, 412);
  });

  test('UNLOCK: 204 with the token; 409 with another; 400 without', async () => {
    const locked = await dav.lock('/unlock.txt');
    assert.equal((await dav.request('UNLOCK', '/unlock.txt')).status, 400);
    const wrong = await dav.request('UNLOCK', '/unlock.txt', {
      headers: { 'lock-token': '<urn:uuid:nope>' },
    });
    assert.equal(wrong.status, 409);
    assert.equal(
      (await dav.request('UNLOCK', '/unlock.txt', { headers: { 'lock-token': `<${locked.token}>` } })).status,
      204,
    );
    assert.equal((await dav.put('/unlock.txt', 'free')).status, 204);
  });

  test('a LOCK without owner is fine; a bad lockinfo is 400; LOCK into a missing folder 409', async () => {
    const body =
      '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
    const res = await dav.request('LOCK', '/no-owner.txt', { body });
    assert.equal(res.status, 201);
    assert.ok(!res.text.includes('<D:owner'));
    const bad =
      '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:mine/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
    assert.equal((await dav.request('LOCK', '/bad.txt', { body: bad })).status, 400);
    assert.equal((await dav.lock('/no/such/file.txt')).status, 409);
    assert.equal((await dav.lock('/x.txt', { depth: '1' })).status, 400);
  });
});

describe('shared locks and collections', () => {
  test('two shared locks coexist; either token lets a write through', async () => {
    assert.equal((await dav.put('/shared.txt', 's')).status, 201);
    const a = await dav.lock('/shared.txt', { scope: 'shared' });
    const b = await dav.lock('/shared.txt', { scope: 'shared' });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal((await dav.put('/shared.txt', 'x')).status, 423);
    assert.equal((await dav.put('/shared.txt', 'x', ifToken(b.token!))).status, 204);
  });

  test('a depth-infinity lock on a folder covers members, new ones too', async () => {
    assert.equal((await dav.request('MKCOL', '/coll')).status, 201);
    assert.equal((await dav.put('/coll/in.txt', '1')).status, 201);
    const locked = await dav.lock('/coll');
    assert.equal(locked.status, 200);
    assert.equal((await dav.put('/coll/in.txt', '2')).status, 423);
    assert.equal((await dav.put('/coll/new.txt', '2')).status, 423);
    assert.equal((await dav.request('MKCOL', '/coll/sub')).status, 423);
    assert.equal((await dav.put('/coll/new.txt', '2', ifToken(locked.token!))).status, 201);
    assert.equal((await dav.request('DELETE', '/coll', { headers: ifToken(locked.token!) })).status, 204);
  });

  test('a depth-0 lock on a folder guards its membership only', async () => {
    assert.equal((await dav.request('MKCOL', '/flat')).status, 201);
    assert.equal((await dav.put('/flat/old.txt', '1')).status, 201);
    const locked = await dav.lock('/flat', { depth: '0' });
    assert.equal((await dav.put('/flat/old.txt', '2')).status, 204);
    assert.equal((await dav.put('/flat/new.txt', '2')).status, 423);
    assert.equal((await dav.request('DELETE', '/flat/old.txt')).status, 423);
    assert.equal((await dav.put('/flat/new.txt', '2', ifToken(locked.token!))).status, 201);
  });

  test('a lock below a folder blocks deleting the folder', async () => {
    assert.equal((await dav.request('MKCOL', '/parent')).status, 201);
    const locked = await dav.lock('/parent/child.txt');
    assert.equal(locked.status, 201);
    const refused = await dav.request('DELETE', '/parent');
    assert.equal(refused.status, 423);
    assert.match(refused.text, /\/dav\/parent\/child\.txt/);
  });

  test('MOVE with the token drops the lock from the moved resource', async () => {
    const locked = await dav.lock('/mover.txt');
    const moved = await dav.request('MOVE', '/mover.txt', {
      headers: { destination: dav.url('/moved.txt'), ...ifToken(locked.token!) },
    });
    assert.equal(moved.status, 201);
    assert.equal((await dav.put('/moved.txt', 'free')).status, 204);
    assert.equal((await dav.lock('/mover.txt')).status, 201);
  });
});
