import type { Generated, Selectable } from 'kysely';

/** Times are milliseconds since the epoch; sizes are bytes. */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  role: 'admin' | 'user';
  quota_bytes: number | null;
  used_bytes: number;
  disabled: number;
  root_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  /** SHA-256 of the session token: the database never holds a usable token. */
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

export interface NodesTable {
  id: Generated<number>;
  owner_id: number;
  /** Null only for a user's root folder. */
  parent_id: number | null;
  name: string;
  kind: 'dir' | 'file';
  version_id: number | null;
  size: number;
  created_at: number;
  modified_at: number;
  /** Set on the top node of a subtree that is in the trash. */
  trashed_at: number | null;
  /** The path it was deleted from, for the trash view and restore. */
  trashed_from: string | null;
}

export interface VersionsTable {
  id: Generated<number>;
  node_id: number;
  manifest_id: number;
  size: number;
  created_at: number;
}

/** A chunk list; versions with equal content share one. */
export interface ManifestsTable {
  id: Generated<number>;
  content_hash: string;
  size: number;
  chunk_count: number;
  chunks: Buffer;
  /** Versions that use this manifest. */
  refcount: number;
  created_at: number;
}

export interface ChunksTable {
  id: Buffer;
  pack_id: number;
  offset: number;
  stored_length: number;
  plain_length: number;
  /** Manifest entries that use this chunk. */
  refcount: number;
}

export interface PacksTable {
  id: Generated<number>;
  key: string | null;
  state: 'open' | 'sealed' | 'stored' | 'committed';
  size: number;
  /** Stored bytes of chunks still referenced: what repacking would keep. */
  live_bytes: number;
  created_at: number;
  sealed_at: number | null;
  committed_at: number | null;
  /** Set once no chunk row points here any more; the store object is deleted a grace period later. */
  retired_at: number | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** A WebDAV client's password; revoking deletes the row. */
export interface AppPasswordsTable {
  id: Generated<number>;
  user_id: number;
  label: string;
  /** SHA-256 (hex) of the secret, which is shown once and never stored. */
  secret_hash: string;
  read_only: number;
  /** The drive path the client is confined to; "/" for the whole drive. */
  root: string;
  created_at: number;
  last_used_at: number | null;
}

/** A WebDAV dead property of a node; `value` is the property's content as an XML fragment. */
export interface DeadPropertiesTable {
  node_id: number;
  namespace: string;
  name: string;
  value: string;
}

/** One row change, waiting to be shipped to the store (see migration 0006). */
export interface MetaJournalTable {
  seq: Generated<number>;
  at: number;
  tbl: string;
  /** "u": the row as `row` (an insert or update); "d": the row with primary key `pk` is gone. */
  op: 'u' | 'd';
  /** JSON of the primary key before the change, for a delete or a key change. */
  pk: string | null;
  /** JSON of the whole row after the change. */
  row: string | null;
  /** A pack the change points at: it ships only once that pack is in the store. */
  pack: number | null;
  /** Bookkeeping that rides the next commit rather than asking for one. */
  lazy: number;
}

export interface ReplicationStateTable {
  key: string;
  value: string;
}

/** A share link; revoking deletes the row. */
export interface SharesTable {
  id: Generated<number>;
  user_id: number;
  node_id: number;
  /** SHA-256 (hex) of the link token, which is shown once and never stored. */
  token_hash: string;
  /** argon2id, like user passwords; null: no password. */
  password_hash: string | null;
  expires_at: number | null;
  max_downloads: number | null;
  downloads: Generated<number>;
  created_at: number;
}

/** A resumable (tus) upload; see migration 0007. */
export interface UploadsTable {
  id: string;
  user_id: number;
  /** The target drive path, normalized. */
  path: string;
  overwrite: number;
  length: number;
  /** Bytes in recorded parts (a prefix ending on a chunk boundary); `length` once completed. */
  offset: number;
  /** Parts recorded so far (the next part's seq). */
  parts: number;
  /** The client's Upload-Metadata as a JSON object. */
  metadata: string;
  created_at: number;
  updated_at: number;
  expires_at: number;
  completed_at: number | null;
}

/** Chunks an unfinished upload received, in order; each entry holds a reference on its chunk. */
export interface UploadPartsTable {
  upload_id: string;
  seq: number;
  size: number;
  /** Entries encoded like a manifest's. */
  chunks: Buffer;
}

export interface Schema {
  users: UsersTable;
  sessions: SessionsTable;
  nodes: NodesTable;
  versions: VersionsTable;
  manifests: ManifestsTable;
  chunks: ChunksTable;
  packs: PacksTable;
  settings: SettingsTable;
  dead_properties: DeadPropertiesTable;
  app_passwords: AppPasswordsTable;
  shares: SharesTable;
  meta_journal: MetaJournalTable;
  replication_state: ReplicationStateTable;
  uploads: UploadsTable;
  upload_parts: UploadPartsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NodeRow = Selectable<NodesTable>;
export type PackRow = Selectable<PacksTable>;
export type UploadRow = Selectable<UploadsTable>;
