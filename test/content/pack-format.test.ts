import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  decodeFooter,
  decodeHeader,
  decodeTrailer,
  encodeFooter,
  encodeHeader,
  encodeTrailer,
  FOOTER_BYTES,
  HEADER_BYTES,
  PackFormatError,
  type PackEntry,
} from '../../src/content/pack-format.js';
import { pseudoRandom } from '../helpers/data.js';
import { openDrive, SMALL_CONTENT_ENV, streamOf, localStoreDir } from '../helpers/drive.js';

describe('pack format v1', () => {
  test('header, trailer and footer decode to what was encoded', () => {
    assert.deepEqual(decodeHeader(encodeHeader(1, 7)), { version: 1, flags: 1, keyId: 7 });
    const entries: PackEntry[] = [
      { id: randomBytes(32), offset: 16, storedLength: 1000, plainLength: 1000, codec: 0 },
      { id: randomBytes(32), offset: 2 ** 40, storedLength: 2 ** 31, plainLength: 5, codec: 3 },
    ];
    assert.deepEqual(decodeTrailer(encodeTrailer(entries)), entries);
    assert.deepEqual(decodeFooter(encodeFooter(2 ** 33, 104, 2, 1)), {
      trailerOffset: 2 ** 33,
      trailerLength: 104,
      count: 2,
      flags: 1,
    });
  });

  test('bytes that are not a pack are refused with PackFormatError', () => {
    assert.throws(() => decodeHeader(Buffer.alloc(HEADER_BYTES)), PackFormatError);
    const newer = encodeHeader(0, 0);
    newer.writeUInt8(2, 4);
    assert.throws(() => decodeHeader(newer), /unsupported pack version 2/);
    assert.throws(() => decodeFooter(Buffer.alloc(FOOTER_BYTES)), PackFormatError);
    assert.throws(() => decodeTrailer(Buffer.alloc(51)), PackFormatError);
  });

  test('a committed pack describes itself: its trailer lists the chunks the index has', async () => {
    const { app, admin } = await openDrive(SMALL_CONTENT_ENV);
    await app.drive.files.write(admin, '/a.bin', streamOf(pseudoRandom(3 * 1024 * 1024, 5)));
    await app.engine.flush();
    const pack = await app.db
      .selectFrom('packs')
      .selectAll()
      .where('state', '=', 'committed')
      .executeTakeFirstOrThrow();
    const bytes = readFileSync(path.join(localStoreDir(app), ...pack.key!.split('/')));
    assert.equal(bytes.length, pack.size);
    assert.deepEqual(decodeHeader(bytes), { version: 1, flags: 0, keyId: 0 });
    const footer = decodeFooter(bytes.subarray(bytes.length - FOOTER_BYTES));
    const entries = decodeTrailer(
      bytes.subarray(footer.trailerOffset, footer.trailerOffset + footer.trailerLength),
    );
    const rows = await app.db
      .selectFrom('chunks')
      .selectAll()
      .where('pack_id', '=', pack.id)
      .orderBy('offset')
      .execute();
    assert.equal(footer.count, rows.length);
    assert.deepEqual(
      entries.map((e) => [e.id.toString('hex'), e.offset, e.storedLength]),
      rows.map((r) => [r.id.toString('hex'), r.offset, r.stored_length]),
    );
  });
});
