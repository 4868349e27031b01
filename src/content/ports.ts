import type { ChunkId } from './chunk-id.js';

/**
 * What the content engine needs from the metadata database. The engine knows nothing about SQL;
 * src/meta implements these.
 */
export type PackState = 'open' | 'sealed' | 'stored' | 'committed';

export interface PackRecord {
  id: number;
  state: PackState;
  /** The store key, known once the pack is sealed. */
  key: string | null;
  size: number;
  /** When the oldest byte in this pack was appended, in ms since the epoch. */
  createdAt: number;
}

export interface ChunkLocation {
  packId: number;
  offset: number;
  storedLength: number;
  plainLength: number;
}

export interface StoredChunk extends ChunkLocation {
  id: ChunkId;
}

export interface ChunkIndex {
  /** Where a chunk that committed metadata knows lives, or null. */
  find(id: ChunkId): Promise<ChunkLocation | null>;
  /** Locations of many chunks, keyed by hex id; unknown ids are absent. */
  findMany(ids: readonly ChunkId[]): Promise<Map<string, ChunkLocation>>;
  /** Every chunk that committed metadata places in the pack, in offset order. */
  chunksInPack(packId: number): Promise<StoredChunk[]>;
}

export interface PackCatalog {
  /** Registers a new open pack and returns its id. */
  create(createdAt: number): Promise<number>;
  get(id: number): Promise<PackRecord | null>;
  markSealed(id: number, key: string, size: number): Promise<void>;
  markStored(id: number): Promise<void>;
  markCommitted(ids: readonly number[]): Promise<void>;
  /** Forgets an open pack that holds no referenced chunk. */
  remove(id: number): Promise<void>;
  /** Packs not yet committed to the store, oldest first. */
  unfinished(): Promise<PackRecord[]>;
}
