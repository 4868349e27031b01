import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { DavClient, hrefs, propfindBody, proppatchBody, propText, responses } from './support.js';

let dav: DavClient;
let origin: string;

before(async () => {
  ({ origin } = await startApp());
  dav = new DavClient(origin, 'admin', ADMIN_PASSWORD);
  assert.equal((await dav.request('MKCOL', '/src')).status, 201);
  assert.equal((await dav.put('/src/a.txt', 'aaa')).status, 201);
  assert.equal((await dav.request('MKCOL', '/src/inner')).status, 201);
  assert.equal((await dav.put('/src/inner/b.txt', 'bbb')).status, 201);
  const set = proppatchBody('<D:set><D:prop><x:tag xmlns:x="urn:x">kept</x:tag></D:prop></D:set>');
  assert.equal((await dav.request('PROPPATCH', '/src/a.txt', { body: set })).status, 207);
});

function to(path: string, extra: Record<string, string> = {}) {
  return { headers: { destination: dav.url(path), ...extra } };
}

describe('COPY', () => {
  test('a file: 201, same content, dead properties copied; onto it again 204', async () => {
    assert.equal((await dav.request('COPY', '/src/a.txt', to('/copy.txt'))).status, 201);
    assert.equal((await dav.request('GET', '/copy.txt')).text, 'aaa');
    const props = responses(
      (await dav.propfind('/copy.txt', '0', propfindBody('<x:tag xmlns:x="urn:x"/>'))).text,
    );
    assert.equal(propText(props.get('/dav/copy.txt')!, 'urn:x', 'tag'), 'kept');
    assert.equal((await dav.request('COPY', '/src/a.txt', to('/copy.txt'))).status, 204);
  });

  test('Overwrite: F onto an existing target is 412; a bad Overwrite is 400', async () => {
    assert.equal((await dav.request('COPY', '/src/a.txt', to('/copy.txt', { overwrite: 'F' }))).status, 412);
    assert.equal(
      (await dav.request('COPY', '/src/a.txt', to('/copy.txt', { overwrite: 'maybe' }))).status,
      400,
    );
  });

  test('a folder with Depth infinity copies everything; Depth 0 only the folder; Depth 1 is 400', async () => {
    assert.equal((await dav.request('COPY', '/src', to('/deep/'))).status, 201);
    assert.deepEqual(hrefs((await dav.propfind('/deep/inner/', '1')).text), [
      '/dav/deep/inner/',
      '/dav/deep/inner/b.txt',
    ]);
    assert.equal((await dav.request('COPY', '/src', to('/shallow', { depth: '0' }))).status, 201);
    assert.deepEqual(hrefs((await dav.propfind('/shallow/', '1')).text), ['/dav/shallow/']);
    assert.equal((await dav.request('COPY', '/src', to('/one', { depth: '1' }))).status, 400);
  });

  test('the Destination is percent-decoded', async () => {
    assert.equal((await dav.request('COPY', '/src/a.txt', to('/%23hash%20%C3%A9.txt'))).status, 201);
    assert.equal((await dav.request('GET', '/%23hash%20%C3%A9.txt')).text, 'aaa');
  });

  test('bad Destinations: missing 400, another host 502, outside the mount 502, no parent 409', async () => {
    assert.equal((await dav.request('COPY', '/src/a.txt')).status, 400);
    const other = { headers: { destination: 'http://elsewhere.example/dav/x.txt' } };
    assert.equal((await dav.request('COPY', '/src/a.txt', other)).status, 502);
    const outside = { headers: { destination: `${origin}/api/x.txt` } };
    assert.equal((await dav.request('COPY', '/src/a.txt', outside)).status, 502);
    const escaping = { headers: { destination: `${origin}/dav/../api/x` } };
    assert.equal((await dav.request('COPY', '/src/a.txt', escaping)).status, 502);
    assert.equal((await dav.request('COPY', '/src/a.txt', to('/no/such/x.txt'))).status, 409);
    assert.equal((await dav.request('COPY', '/missing.txt', to('/x.txt'))).status, 404);
    const relative = { headers: { destination: '/dav/relative.txt' } };
    assert.equal((await dav.request('COPY', '/src/a.txt', relative)).status, 201);
  });

  test('onto itself is 403', async () => {
    assert.equal((await dav.request('COPY', '/src/a.txt', to('/src/a.txt'))).status, 403);
  });
});

describe('MOVE', () => {
  test('a folder moves with its content: 201; the source is gone', async () => {
    assert.equal((await dav.request('COPY', '/src', to('/moving'))).status, 201);
    assert.equal((await dav.request('MOVE', '/moving', to('/moved'))).status, 201);
    assert.equal((await dav.propfind('/moving', '0')).status, 404);
    assert.equal((await dav.request('GET', '/moved/inner/b.txt')).text, 'bbb');
  });

  test('onto an existing target: 204 with Overwrite T, 412 with F', async () => {
    assert.equal((await dav.put('/m1.txt', 'one')).status, 201);
    assert.equal((await dav.put('/m2.txt', 'two')).status, 201);
    assert.equal((await dav.request('MOVE', '/m1.txt', to('/m2.txt', { overwrite: 'F' }))).status, 412);
    assert.equal((await dav.request('MOVE', '/m1.txt', to('/m2.txt'))).status, 204);
    assert.equal((await dav.request('GET', '/m2.txt')).text, 'one');
  });

  test('a folder into itself is 403; Depth 0 is 400', async () => {
    assert.equal((await dav.request('MOVE', '/src', to('/src/inner/src'))).status, 403);
    assert.equal((await dav.request('MOVE', '/src', to('/src'))).status, 403);
    assert.equal((await dav.request('MOVE', '/src', to('/elsewhere', { depth: '0' }))).status, 400);
    assert.equal((await dav.request('GET', '/src/a.txt')).text, 'aaa');
  });
});
