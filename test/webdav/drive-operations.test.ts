import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openDrive, streamOf } from '../helpers/drive.js';
import { MAX_PROPERTY_BYTES, PropertiesTooLargeError } from '../../src/drive/properties.js';

describe('drive operations the WebDAV mount uses', () => {
  test('children and descendants list live entries with their paths and ETags', async () => {
    const { app, admin } = await openDrive();
    const { tree, files } = app.drive;
    await tree.mkdir(admin, '/a/b', { parents: true });
    await files.write(admin, '/a/one.txt', streamOf(Buffer.from('1')));
    await files.write(admin, '/a/b/two.txt', streamOf(Buffer.from('2')));
    await files.write(admin, '/a/gone.txt', streamOf(Buffer.from('3')));
    await tree.remove(admin, '/a/gone.txt');

    const children = await tree.children(admin, '/a');
    assert.deepEqual(
      children.map((e) => [e.path, e.kind]),
      [
        ['/a/b', 'dir'],
        ['/a/one.txt', 'file'],
      ],
    );
    assert.equal(children[1]!.etag, (await tree.stat(admin, '/a/one.txt')).etag);
    const all = await tree.descendants(admin, '/a');
    assert.deepEqual(all.map((e) => e.path).sort(), ['/a', '/a/b', '/a/b/two.txt', '/a/one.txt']);
    assert.equal(all[0]!.path, '/a');
    assert.ok(all.find((e) => e.path === '/a/b/two.txt')!.etag);
    await assert.rejects(tree.children(admin, '/a/one.txt'), { status: 400 });
  });

  test('a shallow copy of a folder copies the folder alone', async () => {
    const { app, admin } = await openDrive();
    const { tree, files } = app.drive;
    await tree.mkdir(admin, '/src');
    await files.write(admin, '/src/f.txt', streamOf(Buffer.from('f')));
    await tree.copy(admin, '/src', '/flat', { shallow: true });
    assert.deepEqual(await tree.children(admin, '/flat'), []);
    await tree.copy(admin, '/src', '/full');
    assert.equal((await tree.children(admin, '/full')).length, 1);
  });

  test('properties: atomic patches, kept through moves and copies, gone when purged', async () => {
    const { app, admin } = await openDrive();
    const { tree, files, properties, trash } = app.drive;
    await tree.mkdir(admin, '/d');
    await files.write(admin, '/d/f.txt', streamOf(Buffer.from('x')));
    await properties.patch(admin, '/d/f.txt', [
      { op: 'set', namespace: 'urn:x', name: 'a', value: '1' },
      { op: 'set', namespace: '', name: 'b', value: '<i>2</i>' },
    ]);
    await assert.rejects(
      properties.patch(admin, '/d/f.txt', [
        { op: 'remove', namespace: 'urn:x', name: 'a' },
        { op: 'set', namespace: 'urn:x', name: 'c', value: 'x'.repeat(MAX_PROPERTY_BYTES + 1) },
      ]),
      PropertiesTooLargeError,
    );
    assert.deepEqual(await properties.get(admin, '/d/f.txt'), [
      { namespace: '', name: 'b', value: '<i>2</i>' },
      { namespace: 'urn:x', name: 'a', value: '1' },
    ]);

    await tree.move(admin, '/d/f.txt', '/d/g.txt');
    assert.equal((await properties.get(admin, '/d/g.txt')).length, 2);
    await tree.copy(admin, '/d', '/e');
    const copied = await properties.ofChildren(admin, '/e');
    const copyId = (await tree.stat(admin, '/e/g.txt')).id;
    assert.equal(copied.get(copyId)?.length, 2);
    assert.equal((await properties.ofNodes(admin, [copyId])).get(copyId)?.length, 2);

    await tree.remove(admin, '/e');
    await trash.empty(admin);
    const left = await app.db.selectFrom('dead_properties').select('node_id').execute();
    assert.deepEqual(
      left.map((r) => r.node_id),
      [(await tree.stat(admin, '/d/g.txt')).id, (await tree.stat(admin, '/d/g.txt')).id],
    );
  });
});
