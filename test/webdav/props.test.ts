import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { textOf } from '../../src/webdav/xml/xml-parse.js';
import { DavClient, hrefs, propfindBody, propOf, proppatchBody, propText, responses } from './support.js';

let dav: DavClient;

before(async () => {
  const { origin } = await startApp();
  dav = new DavClient(origin, 'admin', ADMIN_PASSWORD);
  assert.equal((await dav.request('MKCOL', '/docs')).status, 201);
  assert.equal((await dav.put('/docs/a.txt', 'hello')).status, 201);
  assert.equal((await dav.request('MKCOL', '/docs/sub')).status, 201);
});

describe('PROPFIND', () => {
  test('allprop on Depth 1: the folder and its children with the live properties', async () => {
    const res = await dav.propfind('/docs/', '1');
    assert.equal(res.status, 207);
    assert.match(res.headers.get('content-type') ?? '', /^application\/xml/);
    assert.deepEqual(hrefs(res.text), ['/dav/docs/', '/dav/docs/a.txt', '/dav/docs/sub/']);
    const byHref = responses(res.text);
    const file = byHref.get('/dav/docs/a.txt')!;
    assert.equal(propText(file, 'DAV:', 'getcontentlength'), '5');
    assert.equal(propText(file, 'DAV:', 'getcontenttype'), 'text/plain');
    assert.match(
      propText(file, 'DAV:', 'getlastmodified'),
      /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    );
    assert.match(propText(file, 'DAV:', 'creationdate'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const etag = (await dav.request('HEAD', '/docs/a.txt')).headers.get('etag');
    assert.equal(propText(file, 'DAV:', 'getetag'), etag);
    const folder = byHref.get('/dav/docs/sub/')!;
    const type = propOf(folder, 'DAV:', 'resourcetype')!;
    assert.equal(type.element.children.length, 1);
    assert.ok(propOf(folder, 'DAV:', 'supportedlock'));
    assert.equal(propOf(folder, 'DAV:', 'getcontentlength'), undefined);
  });

  test('Depth 0 answers the resource only', async () => {
    assert.deepEqual(hrefs((await dav.propfind('/docs', '0')).text), ['/dav/docs/']);
    assert.deepEqual(hrefs((await dav.propfind('/docs/a.txt', '0')).text), ['/dav/docs/a.txt']);
  });

  test('named properties: found ones 200, unknown ones 404', async () => {
    const body = propfindBody('<D:getcontentlength/><D:quota-used-bytes/><x:nothing/>', ' xmlns:x="urn:x"');
    const res = await dav.propfind('/docs/', '0', body);
    const folder = responses(res.text).get('/dav/docs/')!;
    assert.equal(propOf(folder, 'DAV:', 'getcontentlength')?.status, 404);
    assert.equal(propOf(folder, 'urn:x', 'nothing')?.status, 404);
    assert.equal(propText(folder, 'DAV:', 'quota-used-bytes'), '5');
  });

  test('quota properties (RFC 4331) with a quota', async () => {
    const { origin, app } = await startApp();
    await app.drive.users.create({
      username: 'quota',
      password: 'quota-password-1',
      role: 'user',
      quotaBytes: 1000,
    });
    const client = new DavClient(origin, 'quota', 'quota-password-1');
    assert.equal((await client.put('/x.bin', Buffer.alloc(100))).status, 201);
    const body = propfindBody('<D:quota-available-bytes/><D:quota-used-bytes/>');
    const root = responses((await client.propfind('/', '0', body)).text).get('/dav/')!;
    assert.equal(propText(root, 'DAV:', 'quota-used-bytes'), '100');
    assert.equal(propText(root, 'DAV:', 'quota-available-bytes'), '900');
    const full = await client.put('/big.bin', Buffer.alloc(2000));
    assert.equal(full.status, 507, full.text);
  });

  test('propname lists names without values', async () => {
    const body = '<?xml version="1.0"?><propfind xmlns="DAV:"><propname/></propfind>';
    const file = responses((await dav.propfind('/docs/a.txt', '0', body)).text).get('/dav/docs/a.txt')!;
    const length = propOf(file, 'DAV:', 'getcontentlength');
    assert.equal(length?.status, 200);
    assert.equal(length?.element.children.length, 0);
  });

  test('bad input: Depth, malformed XML, a DOCTYPE, a huge body, a wrong root, a missing resource', async () => {
    assert.equal((await dav.propfind('/', '2')).status, 400);
    assert.equal((await dav.propfind('/', 'one')).status, 400);
    const infinite = await dav.propfind('/', 'infinity');
    assert.equal(infinite.status, 403);
    assert.match(infinite.text, /propfind-finite-depth/);
    assert.equal((await dav.propfind('/', '0', '<D:propfind xmlns:D="DAV:"><D:prop>')).status, 400);
    assert.equal((await dav.propfind('/', '0', '<D:propfind><D:prop/></D:propfind>')).status, 400);
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
      '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&b;</D:displayname></D:prop></D:propfind>';
    assert.equal((await dav.propfind('/', '0', laughs)).status, 400);
    assert.equal((await dav.propfind('/', '0', '<x:propfind xmlns:x="urn:x"/>')).status, 400);
    const huge = proppatchBody(
      `<D:set><D:prop><x:big xmlns:x="urn:x">${'a'.repeat(10 * 1024 * 1024)}</x:big></D:prop></D:set>`,
    );
    assert.equal((await dav.request('PROPPATCH', '/docs/a.txt', { body: huge })).status, 413);
    assert.equal((await dav.propfind('/nothing-here', '0')).status, 404);
    assert.equal((await dav.propfind('/docs/', '0')).status, 207, 'the server still answers');
  });
});

describe('PROPPATCH', () => {
  const ns = ' xmlns:x="http://example.com/ns" xmlns:y="urn:y"';

  test('dead properties in any namespace are stored, answered, and removed', async () => {
    const set = proppatchBody(
      '<D:set><D:prop><x:color>blue &amp; green</x:color><y:nested><y:a k="v">1</y:a><b xmlns="">2</b></y:nested>' +
        '<plain xmlns="">no namespace</plain></D:prop></D:set>',
      ns,
    );
    const res = await dav.request('PROPPATCH', '/docs/a.txt', { body: set });
    assert.equal(res.status, 207, res.text);
    const patched = responses(res.text).get('/dav/docs/a.txt')!;
    assert.equal(propOf(patched, 'http://example.com/ns', 'color')?.status, 200);

    const found = responses(
      (await dav.propfind('/docs/a.txt', '0', propfindBody('<x:color/><y:nested/><plain xmlns=""/>', ns)))
        .text,
    ).get('/dav/docs/a.txt')!;
    assert.equal(propText(found, 'http://example.com/ns', 'color'), 'blue & green');
    const nested = propOf(found, 'urn:y', 'nested')!.element;
    const first = nested.children[0];
    assert.ok(first && typeof first !== 'string');
    assert.deepEqual(
      [first.ns, first.name, first.attrs, textOf(first)],
      ['urn:y', 'a', [{ ns: '', name: 'k', value: 'v' }], '1'],
    );
    assert.equal(propText(found, '', 'plain'), 'no namespace');

    const all = responses((await dav.propfind('/docs/', '1')).text).get('/dav/docs/a.txt')!;
    assert.equal(propText(all, 'http://example.com/ns', 'color'), 'blue & green');

    const remove = proppatchBody('<D:remove><D:prop><x:color/></D:prop></D:remove>', ns);
    assert.equal((await dav.request('PROPPATCH', '/docs/a.txt', { body: remove })).status, 207);
    const after = responses((await dav.propfind('/docs/a.txt', '0', propfindBody('<x:color/>', ns))).text);
    assert.equal(propOf(after.get('/dav/docs/a.txt')!, 'http://example.com/ns', 'color')?.status, 404);
  });

  test('a protected live property fails with 403 and the rest with 424, changing nothing', async () => {
    const body = proppatchBody(
      '<D:set><D:prop><x:fine>1</x:fine><D:getetag>"forged"</D:getetag></D:prop></D:set>',
      ns,
    );
    const res = await dav.request('PROPPATCH', '/docs/a.txt', { body });
    assert.equal(res.status, 207);
    const response = responses(res.text).get('/dav/docs/a.txt')!;
    assert.equal(propOf(response, 'DAV:', 'getetag')?.status, 403);
    assert.equal(propOf(response, 'http://example.com/ns', 'fine')?.status, 424);
    const after = responses((await dav.propfind('/docs/a.txt', '0', propfindBody('<x:fine/>', ns))).text);
    assert.equal(propOf(after.get('/dav/docs/a.txt')!, 'http://example.com/ns', 'fine')?.status, 404);
  });

  test('bad bodies are 400; a missing resource 404', async () => {
    assert.equal((await dav.request('PROPPATCH', '/docs/a.txt', { body: '' })).status, 400);
    assert.equal((await dav.request('PROPPATCH', '/docs/a.txt', { body: '<a>' })).status, 400);
    const body = proppatchBody('<D:set><D:prop><x:p>1</x:p></D:prop></D:set>', ns);
    assert.equal((await dav.request('PROPPATCH', '/missing', { body })).status, 404);
  });
});
