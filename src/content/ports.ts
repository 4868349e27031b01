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

/** A committed pack worth repacking: sealed small by a flush, or mostly dead. */
export interface RepackCandidate {
  id: number;
  key: string;
  size: number;
  liveBytes: number;
}

export interface RepackCriteria {
  /** A pack smaller than this is small. */
  smallBelow: number;
  /** Only packs with a lower id (later ones may hold chunks of writes not yet recorded); null: any. */
  belowPackId: number | null;
}

/** A chunk copied to another pack, moved in the index once that pack is committed. */
export interface ChunkMove {
  id: ChunkId;
  fromPack: number;
  fromOffset: number;
  toPack: number;
  toOffset: number;
}

export interface RelocationInput {
  /** The packs repacked. */
  packs: readonly number[];
  moves: readonly ChunkMove[];
  /** The packs the chunks moved to. */
  targets: readonly number[];
  /** Chunks (hex ids) a write in flight has found and will reference: never forgotten. Read in the transaction. */
  pinned(): ReadonlySet<string>;
  now: number;
}

export interface RetiredPack {
  id: number;
  key: string;
}

/** What the repacker needs from the metadata database, beyond the pack catalog and chunk index. */
export interface RepackCatalog {
  /** Committed, unretired packs that are small or mostly dead, oldest first. */
  candidates(criteria: RepackCriteria): Promise<RepackCandidate[]>;
  countCandidates(criteria: RepackCriteria): Promise<number>;
  /** A pack's chunks that must survive a repack: referenced ones and pinned ones, in offset order. */
  chunksToKeep(packId: number, pinned: ReadonlySet<string>): Promise<StoredChunk[]>;
  /**
   * One transaction: points moved chunks at their new place, forgets unreferenced and unpinned chunks
   * of the packs, recounts live bytes, and retires the packs no chunk points at any more.
   * Returns the retired packs.
   */
  relocate(input: RelocationInput): Promise<number[]>;
  /**
   * Retired packs whose grace period is over (retired at or before `before`), oldest first. A pack
   * that a chunk points at again is un-retired rather than returned.
   */
  expired(before: number, limit: number): Promise<RetiredPack[]>;
  /** Of these store keys, those an unretired pack has (sealed, committed, or on its way). */
  keysInUse(keys: readonly string[]): Promise<Set<string>>;
  /** Forgets packs deleted from the store; fails, changing nothing, while a chunk points at one. */
  forget(ids: readonly number[]): Promise<void>;
}

/**
 * Objects that ride the flusher's commits beside the packs: the metadata journal and its snapshots
 * (src/meta implements it). The flusher decides when to commit; the rider says what comes along.
 */
export interface CommitRider {
  /**
   * When the oldest change that could leave now was made (ms), or null when none waits. Bookkeeping
   * that need not ask for a commit of its own counts only with `all` (a flush takes everything).
   */
  waitingSince(all: boolean): Promise<number | null>;
  /** A mark for a deletion asked for now: it may be committed once the rider covers this mark. */
  mark(): Promise<number>;
  /**
   * Stages (puts, deletes) what may ride a commit of the `committing` packs, in at most `room`
   * operations; every older pack is committed already or gone.
   */
  stage(committing: readonly number[], room: number): Promise<RiderStage>;
}

export interface RiderStage {
  /** Puts and deletes staged. */
  operations: number;
  /** Marks up to this one are covered once the commit lands. */
  covers: number;
  /** The commit landed. */
  committed(): Promise<void>;
}
