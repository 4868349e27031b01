import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { BlobStore } from '../blobstore/blob-store.js';
import { BlobNotFoundError } from '../blobstore/errors.js';
import type { ChunkerParams } from '../config/config.js';
import { GEAR_NAME } from './gear.js';

export const STORE_FORMAT_KEY = 'hubdrive.json';
export const STORE_FORMAT_VERSION = 1;

/** The self-description at the root of every store. */
export interface StoreFormat {
  format: number;
  createdAt: string;
  chunker: ChunkerParams & { algorithm: 'fastcdc'; gear: string };
  pack: { version: number };
  /** Filled in when encryption is enabled: the wrapped data key and its parameters. */
  encryption: null;
}

/** Start-up stops with this when the store cannot be used by this version. */
export class StoreFormatError extends Error {
  override name = 'StoreFormatError';
}

/**
 * Reads the store's format record, or writes one for a new store. The chunker parameters recorded in
 * the store win over the configured ones, so that deduplication keeps working when settings change.
 */
export async function ensureStoreFormat(store: BlobStore, chunker: ChunkerParams): Promise<StoreFormat> {
  let text: string | null = null;
  try {
    const chunks: Buffer[] = [];
    for await (const piece of await store.get(STORE_FORMAT_KEY)) chunks.push(piece as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (!(error instanceof BlobNotFoundError)) throw error;
  }
  if (text !== null) return parseStoreFormat(text);
  const format: StoreFormat = {
    format: STORE_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    chunker: { algorithm: 'fastcdc', gear: GEAR_NAME, ...chunker },
    pack: { version: 1 },
    encryption: null,
  };
  const bytes = Buffer.from(`${JSON.stringify(format, null, 2)}\n`);
  await store.put(STORE_FORMAT_KEY, {
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    open: () => Readable.from([bytes]),
  });
  await store.commit('hubdrive: initialise store');
  return format;
}

function parseStoreFormat(text: string): StoreFormat {
  let parsed: Partial<StoreFormat>;
  try {
    parsed = JSON.parse(text) as Partial<StoreFormat>;
  } catch {
    throw new StoreFormatError(`${STORE_FORMAT_KEY} in the store is not valid JSON`);
  }
  if (typeof parsed.format !== 'number')
    throw new StoreFormatError(`${STORE_FORMAT_KEY} has no format version`);
  if (parsed.format > STORE_FORMAT_VERSION) {
    throw new StoreFormatError(
      `the store was written by a newer hubdrive (format ${parsed.format}; this version reads up to ${STORE_FORMAT_VERSION}). Upgrade hubdrive.`,
    );
  }
  const c = parsed.chunker;
  if (
    !c ||
    c.algorithm !== 'fastcdc' ||
    c.gear !== GEAR_NAME ||
    !(c.min > 0 && c.avg > c.min && c.max > c.avg)
  ) {
    throw new StoreFormatError(`${STORE_FORMAT_KEY} has chunker settings this version does not know`);
  }
  return parsed as StoreFormat;
}
