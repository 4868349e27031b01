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
  /** Forgets a pack lost from staging and from the store, if no chunk points at it; true if forgotten. */
  forgetLost(id: number): Promise<boolean>;
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
  /** A pack whose live bytes are under this share of its size is mostly dead. */
  liveRatio: number;
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

/** A pack as garbage collection and the consistency check see it. */
export interface PackInfo {
  id: number;
  state: PackState;
  key: string | null;
  size: number;
  liveBytes: number;
  retiredAt: number | null;
}

export interface ChunkRecord extends StoredChunk {
  /** Manifest entries that use it, as recorded. */
  refcount: number;
}

/** The content metadata as of one moment (one read transaction). */
export interface MetadataView {
  /** Every manifest's encoded chunk list, in id order. */
  manifests(): AsyncIterable<{ id: number; chunks: Buffer }>;
  /**
   * Chunk lists in use outside manifests, encoded like them: the recorded parts of unfinished
   * resumable uploads. Their entries count in chunk reference counts just as a manifest's do, so
   * gc keeps those chunks and fsck counts them.
   */
  heldChunkLists(): AsyncIterable<Buffer>;
  /** Every chunk row, in id order. */
  chunks(): AsyncIterable<ChunkRecord>;
  packs(): Promise<PackInfo[]>;
}

/** The view, within a write transaction that may correct the counts it finds wrong. */
export interface MetadataRepair extends MetadataView {
  setChunkRefcounts(changes: readonly { id: ChunkId; refcount: number }[]): Promise<void>;
  setLiveBytes(changes: readonly { packId: number; liveBytes: number }[]): Promise<void>;
}

/** Both are read inside the transaction, where no write can record anything meanwhile. */
export interface DeadChunkCriteria {
  /**
   * Only packs with a lower id: a write in flight may have put chunks in later ones (even committed
   * ones) that no row names yet. Null: any.
   */
  belowPackId(): number | null;
  /** Chunks (hex ids) a write in flight has found and will reference. */
  pinned(): ReadonlySet<string>;
}

export interface DeadChunks {
  /** Unreferenced chunk rows of committed packs. */
  chunks: number;
  /** Their stored bytes. */
  bytes: number;
  /** Committed packs no chunk row would point at any more (retired when the chunks are dropped). */
  packs: number;
}

/** What garbage collection and the consistency check need from the metadata database. */
export interface GcCatalog {
  /** Runs `work` on one consistent view of the metadata (writes wait meanwhile: keep it brief). */
  read<T>(work: (view: MetadataView) => Promise<T>): Promise<T>;
  /** Runs `work` in one write transaction, whose corrections commit with it. */
  repair<T>(work: (view: MetadataRepair) => Promise<T>): Promise<T>;
  packs(): Promise<PackInfo[]>;
  /** What `dropDeadChunks` would drop and retire now. */
  deadChunks(criteria: DeadChunkCriteria): Promise<DeadChunks>;
  /**
   * One transaction: forgets the unreferenced, unpinned chunks of committed packs, and retires the
   * committed packs no chunk points at any more.
   */
  dropDeadChunks(criteria: DeadChunkCriteria, now: number): Promise<DeadChunks>;
}

/** A manifest whose reference count is not the number of versions that use it. */
export interface ManifestUse {
  manifestId: number;
  /** Versions (in the tree or in the trash) that use it. */
  versions: number;
  /** Its recorded count; null when a version names a manifest that does not exist. */
  refcount: number | null;
}

/**
 * The layer above says which manifests are in use (src/drive implements it: versions of files in
 * the tree and in the trash).
 */
export interface ManifestRoots {
  /** Manifests whose count differs from their versions, and versions whose manifest is missing. */
  mismatches(): Promise<ManifestUse[]>;
  /**
   * Sets each manifest's count to its versions and forgets manifests no version uses (their chunk
   * uses go with them). Returns what it corrected.
   */
  repair(): Promise<ManifestUse[]>;
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
  /**
   * A mark for what was logged so far (a deletion asked for now, a durable write answered now): once
   * the rider covers it, the store's metadata holds all of it that matters.
   */
  mark(): Promise<number>;
  /** The newest mark the store's metadata holds. */
  shippedThrough(): Promise<number>;
  /**
   * Stages (puts, deletes) what may ride a commit of the `committing` packs, in at most `room`
   * operations; every older pack is committed already or gone.
   */
  stage(committing: readonly number[], room: number): Promise<RiderStage>;
  /** The store refused the commit and dropped everything staged (CommitRejectedError). */
  abandon(): void;
}

export interface RiderStage {
  /** Puts and deletes staged. */
  operations: number;
  /** Marks up to this one are covered once the commit lands. */
  covers: number;
  /** The commit landed. */
  committed(): Promise<void>;
}
