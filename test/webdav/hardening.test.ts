import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp, type RunningApp } from '../helpers/app.js';
import { openDrive } from '../helpers/drive.js';
import { MAX_PROPERTIES_BYTES_PER_NODE, PropertiesTooLargeError } from '../../src/drive/properties.js';
import { elementsOf, parseXml } from '../../src/webdav/xml/xml-parse.js';
import { serializeNodes } from '../../src/webdav/xml/xml-write.js';
import { MAX_PROPFIND_NAME_BYTES, MAX_PROPFIND_NAMES } from '../../src/webdav/methods/propfind.js';
import { DavClient, hrefs, propfindBody, proppatchBody } from './support.js';

// Regressions found in review: each test names the input that used to get through or hang.

let server: RunningApp;
let dav: DavClient;

before(async () => {
  server = await startApp();
  dav = new DavClient(server.origin, 'admin', ADMIN_PASSWORD);
});

describe('XML bodies', () => {
  test('thousands of prefixes over thousands of children parse (the scope was copied per element)', async () => {
    // 12,000 declarations on the root and 60,000 children: 430 kB, which once held the event loop for
    // about a minute (every element copied every prefix in scope).
    const declarations = Array.from({ length: 12_000 }, (_, i) => ` xmlns:p${i}="urn:p${i}"`).join('');
    const body = `<D:propfind xmlns:D="DAV:"${declarations}><D:prop>${'<x/>'.repeat(60_000)}</D:prop></D:propfind>`;
    const res = await dav.propfind('/', '0', body);
    assert.equal(res.status, 207, res.text.slice(0, 200));
    assert.deepEqual(hrefs(res.text), ['/dav/']);
  });

  test('namespace scoping still holds: inner declarations shadow, siblings do not see them', () => {
    const root = parseXml(
      '<a xmlns="urn:a" xmlns:p="urn:p1"><p:b xmlns:p="urn:p2"><p:c/></p:b><p:d/><e xmlns=""/></a>',
    );
    const [b, d, e] = elementsOf(root);
    assert.deepEqual(
      [root.ns, b!.ns, elementsOf(b!)[0]!.ns, d!.ns, e!.ns],
      ['urn:a', 'urn:p2', 'urn:p2', 'urn:p1', ''],
    );
    assert.equal(
      serializeNodes([b!]),
      '<n0:b xmlns:n0="urn:p2"><n0:c/></n0:b>',
      "a child reuses its parent's prefix and declares nothing again",
    );
  });

  test('a character XML does not allow is 400, and is not stored as a property', async () => {
    assert.equal((await dav.put('/ctl.txt', 'x')).status, 201);
    for (const bad of ['\u0001', '\u0000', '\uFFFE', '\u001b[31m']) {
      const body = proppatchBody(`<D:set><D:prop><x:v xmlns:x="urn:x">${bad}</x:v></D:prop></D:set>`);
      const res = await dav.request('PROPPATCH', '/ctl.txt', { body });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.match(res.text, /BAD_XML/);
    }
    // The listing stays well-formed XML.
    const listing = await dav.propfind('/', '1');
    assert.equal(listing.status, 207);
    assert.ok(hrefs(listing.text).includes('/dav/ctl.txt'));
    assert.throws(() => parseXml('<a>\u0002</a>'), { status: 400 });
  });
});

describe('PROPFIND', () => {
  test('the names a PROPFIND asks for are bounded, since the answer repeats them for every child', async () => {
    // 80,000 names over a 300-file folder once built 2 GB of XML for 26 s, then failed with 500.
    const ask = (props: string) => dav.propfind('/', '1', propfindBody(props, ' xmlns:x="urn:x"'));
    const distinct = (n: number) => Array.from({ length: n }, (_, i) => `<x:p${i}/>`).join('');
    assert.equal((await ask(distinct(MAX_PROPFIND_NAMES))).status, 207);
    const tooMany = await ask(distinct(MAX_PROPFIND_NAMES + 1));
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.text, /TOO_MANY_PROPERTIES/);
    const longNamespace = `<y:p xmlns:y="urn:${'y'.repeat(MAX_PROPFIND_NAME_BYTES)}"/>`;
    assert.equal((await ask(longNamespace)).status, 400);
    // The same name many times is one name, answered once.
    const repeated = await ask('<x:same/>'.repeat(50_000));
    assert.equal(repeated.status, 207);
    assert.equal(repeated.text.match(/same/g)?.length, hrefs(repeated.text).length);
  });
});

describe('PUT', () => {
  test('a PUT with Content-Range is 400 and leaves the file as it was', async () => {
    assert.equal((await dav.put('/whole.txt', 'the whole file')).status, 201);
    const res = await dav.put('/whole.txt', 'part', { 'content-range': 'bytes 0-3/14' });
    assert.equal(res.status, 400);
    assert.match(res.text, /PARTIAL_PUT/);
    assert.equal((await dav.request('GET', '/whole.txt')).text, 'the whole file');
    assert.equal((await dav.put('/new-part.txt', 'part', { 'content-range': 'bytes 0-3/10' })).status, 400);
    assert.equal((await dav.request('GET', '/new-part.txt')).status, 404);
  });
});

describe('COPY and MOVE', () => {
  test('a Destination with a scheme other than http(s) is refused, even on this host and port', async () => {
    assert.equal((await dav.put('/scheme.txt', 's')).status, 201);
    const host = new URL(server.origin).host;
    for (const destination of [`ftp://${host}/dav/x.txt`, `ws://${host}/dav/x.txt`]) {
      for (const method of ['COPY', 'MOVE']) {
        const res = await dav.request(method, '/scheme.txt', { headers: { destination } });
        assert.equal(res.status, 502, `${method} ${destination}`);
      }
    }
    assert.equal((await dav.request('GET', '/x.txt')).status, 404);
    assert.equal((await dav.request('GET', '/scheme.txt')).text, 's');
  });
});

describe('WEBDAV_MAC_FILES=ignore', () => {
  test('a LOCK on a Finder file is granted without storing the file', async () => {
    const ignoring = await startApp({ WEBDAV_MAC_FILES: 'ignore' });
    const client = new DavClient(ignoring.origin, 'admin', ADMIN_PASSWORD);
    const locked = await client.lock('/._photo.jpg', { depth: '0' });
    assert.ok(locked.status === 200 || locked.status === 201, locked.text);
    assert.ok(locked.token);
    const put = await client.put('/._photo.jpg', 'apple double', { if: `(<${locked.token}>)` });
    assert.equal(put.status, 201);
    assert.equal(
      (await client.request('UNLOCK', '/._photo.jpg', { headers: { 'lock-token': `<${locked.token}>` } }))
        .status,
      204,
    );
    const admin = await ignoring.app.drive.users.authenticate('admin', ADMIN_PASSWORD);
    assert.deepEqual(await ignoring.app.drive.tree.children(admin, '/'), []);
  });
});

describe('dead property limits', () => {
  test('names count toward what a node may hold, so empty properties are not free storage', async () => {
    const { app, admin } = await openDrive();
    await app.drive.tree.mkdir(admin, '/d');
    const namespace = `urn:${'n'.repeat(4_000)}`;
    const batch = (from: number) =>
      Array.from({ length: 100 }, (_, i) => ({
        op: 'set' as const,
        namespace,
        name: `p${from + i}`,
        value: '',
      }));
    // 100 empty properties with 4 kB names: about 400 kB each time.
    await app.drive.properties.patch(admin, '/d', batch(0));
    await app.drive.properties.patch(admin, '/d', batch(100));
    await assert.rejects(app.drive.properties.patch(admin, '/d', batch(200)), PropertiesTooLargeError);
    const stored = await app.drive.properties.get(admin, '/d');
    assert.equal(stored.length, 200, 'the refused patch changed nothing');
    const bytes = stored.reduce((sum, p) => sum + p.namespace.length + p.name.length + p.value.length, 0);
    assert.ok(bytes <= MAX_PROPERTIES_BYTES_PER_NODE);
  });
});
