import { CHUNK_ID_BYTES, type ChunkId } from './chunk-id.js';

/**
 * Pack format v1.
 *
 *   header  16 B  "HDPK" | version u8 | flags u8 | reserved u16 | key id u32 | reserved u32
 *   body          chunk blobs back to back (plain bytes, or nonce|ciphertext|tag when encrypted)
 *   trailer       one entry per chunk (below); when encrypted, the trailer is one sealed blob
 *   footer  24 B  trailer offset u64 | trailer length u32 | entry count u32 | flags u8 | 3 B reserved | "HDPT"
 *
 *   entry   52 B  chunk id (32) | offset u64 | stored length u32 | plain length u32 | codec u8 | 3 B reserved
 *
 * All integers little-endian. The pack's key is the SHA-256 of all its bytes.
 */
export const PACK_MAGIC = Buffer.from('HDPK', 'latin1');
export const FOOTER_MAGIC = Buffer.from('HDPT', 'latin1');
export const PACK_VERSION = 1;
export const HEADER_BYTES = 16;
export const FOOTER_BYTES = 24;
export const ENTRY_BYTES = 52;

export const PackFlags = { encrypted: 1 } as const;
export const Codec = { raw: 0 } as const;

export interface PackEntry {
  id: ChunkId;
  offset: number;
  storedLength: number;
  plainLength: number;
  codec: number;
}

export class PackFormatError extends Error {
  override name = 'PackFormatError';
}

export function encodeHeader(flags: number, keyId: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  PACK_MAGIC.copy(header, 0);
  header.writeUInt8(PACK_VERSION, 4);
  header.writeUInt8(flags, 5);
  header.writeUInt32LE(keyId, 8);
  return header;
}

export function decodeHeader(header: Buffer): { version: number; flags: number; keyId: number } {
  if (header.length < HEADER_BYTES || !header.subarray(0, 4).equals(PACK_MAGIC)) {
    throw new PackFormatError('not a hubdrive pack (bad magic)');
  }
  const version = header.readUInt8(4);
  if (version !== PACK_VERSION) throw new PackFormatError(`unsupported pack version ${version}`);
  return { version, flags: header.readUInt8(5), keyId: header.readUInt32LE(8) };
}

export function encodeTrailer(entries: readonly PackEntry[]): Buffer {
  const out = Buffer.alloc(entries.length * ENTRY_BYTES);
  entries.forEach((e, i) => {
    const at = i * ENTRY_BYTES;
    e.id.copy(out, at);
    out.writeBigUInt64LE(BigInt(e.offset), at + CHUNK_ID_BYTES);
    out.writeUInt32LE(e.storedLength, at + CHUNK_ID_BYTES + 8);
    out.writeUInt32LE(e.plainLength, at + CHUNK_ID_BYTES + 12);
    out.writeUInt8(e.codec, at + CHUNK_ID_BYTES + 16);
  });
  return out;
}

export function decodeTrailer(trailer: Buffer): PackEntry[] {
  if (trailer.length % ENTRY_BYTES !== 0) throw new PackFormatError('corrupt pack trailer (length)');
  const entries: PackEntry[] = [];
  for (let at = 0; at < trailer.length; at += ENTRY_BYTES) {
    entries.push({
      id: Buffer.from(trailer.subarray(at, at + CHUNK_ID_BYTES)),
      offset: Number(trailer.readBigUInt64LE(at + CHUNK_ID_BYTES)),
      storedLength: trailer.readUInt32LE(at + CHUNK_ID_BYTES + 8),
      plainLength: trailer.readUInt32LE(at + CHUNK_ID_BYTES + 12),
      codec: trailer.readUInt8(at + CHUNK_ID_BYTES + 16),
    });
  }
  return entries;
}

export function encodeFooter(
  trailerOffset: number,
  trailerLength: number,
  count: number,
  flags: number,
): Buffer {
  const footer = Buffer.alloc(FOOTER_BYTES);
  footer.writeBigUInt64LE(BigInt(trailerOffset), 0);
  footer.writeUInt32LE(trailerLength, 8);
  footer.writeUInt32LE(count, 12);
  footer.writeUInt8(flags, 16);
  FOOTER_MAGIC.copy(footer, 20);
  return footer;
}

export function decodeFooter(footer: Buffer): {
  trailerOffset: number;
  trailerLength: number;
  count: number;
  flags: number;
} {
  if (footer.length !== FOOTER_BYTES || !footer.subarray(20, 24).equals(FOOTER_MAGIC)) {
    throw new PackFormatError('not a hubdrive pack (bad footer)');
  }
  return {
    trailerOffset: Number(footer.readBigUInt64LE(0)),
    trailerLength: footer.readUInt32LE(8),
    count: footer.readUInt32LE(12),
    flags: footer.readUInt8(16),
  };
}
