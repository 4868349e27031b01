import assert from 'node:assert/strict';
import { crc32, inflateRawSync } from 'node:zlib';

/** One entry of a zip, as its central directory and local header describe it. */
export interface ZipEntry {
  name: string;
  isDir: boolean;
  /** 0: stored, 8: deflated. */
  method: number;
  /** General purpose bit 11: the name is UTF-8. */
  utf8: boolean;
  size: number;
  /** Seconds since the epoch, from the extended timestamp field, when there is one. */
  mtime: number | null;
  /** The entry's bytes, checked against its CRC-32 and size. */
  data: Buffer;
  /** The entry carries a ZIP64 extra field. */
  zip64: boolean;
}

export interface Zip {
  entries: ZipEntry[];
  /** The archive ends with a ZIP64 end of central directory record. */
  zip64End: boolean;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u64(buf: Buffer, at: number): number {
  const value = buf.readBigUInt64LE(at);
  assert.ok(value <= BigInt(Number.MAX_SAFE_INTEGER));
  return Number(value);
}

/**
 * A small, strict zip reader for tests (APPNOTE 6.3): the end records (ZIP64 too), every central
 * directory entry, and each entry's data through its local header, checked against the CRC.
 */
export function readZip(buf: Buffer): Zip {
  let end = -1;
  for (let at = buf.length - 22; at >= Math.max(0, buf.length - 22 - 0xffff); at--) {
    if (buf.readUInt32LE(at) === EOCD) {
      end = at;
      break;
    }
  }
  assert.ok(end >= 0, 'no end of central directory record');
  let count = buf.readUInt16LE(end + 10);
  let cdSize = buf.readUInt32LE(end + 12);
  let cdOffset = buf.readUInt32LE(end + 16);
  let zip64End = false;
  if (end >= 20 && buf.readUInt32LE(end - 20) === ZIP64_LOCATOR) {
    const record = u64(buf, end - 20 + 8);
    assert.equal(buf.readUInt32LE(record), ZIP64_EOCD, 'bad ZIP64 end record');
    count = u64(buf, record + 32);
    cdSize = u64(buf, record + 40);
    cdOffset = u64(buf, record + 48);
    zip64End = true;
  }
  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(at), CENTRAL, `bad central directory entry ${i}`);
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    let compressed = buf.readUInt32LE(at + 20);
    let size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    let offset = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    let mtime: number | null = null;
    let zip64 = false;
    for (let x = at + 46 + nameLength; x < at + 46 + nameLength + extraLength;) {
      const id = buf.readUInt16LE(x);
      const length = buf.readUInt16LE(x + 2);
      let field = x + 4;
      if (id === 0x0001) {
        zip64 = true;
        // Only the fields whose 32-bit value is saturated are present, in this order.
        if (size === 0xffffffff) {
          size = u64(buf, field);
          field += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = u64(buf, field);
          field += 8;
        }
        if (offset === 0xffffffff) offset = u64(buf, field);
      }
      if (id === 0x5455 && (buf[field]! & 1) === 1) mtime = buf.readUInt32LE(field + 1);
      x += 4 + length;
    }
    assert.equal(buf.readUInt32LE(offset), LOCAL, `bad local header for ${name}`);
    const start = offset + 30 + buf.readUInt16LE(offset + 26) + buf.readUInt16LE(offset + 28);
    const raw = buf.subarray(start, start + compressed);
    const data = method === 0 ? Buffer.from(raw) : inflateRawSync(raw);
    assert.equal(data.length, size, `size of ${name}`);
    assert.equal(crc32(data), crc, `CRC-32 of ${name}`);
    entries.push({
      name,
      isDir: name.endsWith('/'),
      method,
      utf8: (flags & 0x800) !== 0,
      size,
      mtime,
      data,
      zip64,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  assert.equal(at - cdOffset, cdSize, 'central directory size');
  return { entries, zip64End };
}
