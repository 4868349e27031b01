/** The JSON of the share-link API (README, "Share links"). */

export type ShareState = 'active' | 'expired' | 'exhausted' | 'trashed';

/** A share as its owner sees it (GET /api/shares); the token is never in it. */
export interface Share {
  id: number;
  nodeId: number;
  name: string;
  /** null while the shared item (or a folder above it) is in the trash. */
  path: string | null;
  kind: 'dir' | 'file';
  createdAt: number;
  expiresAt: number | null;
  downloads: number;
  maxDownloads: number | null;
  hasPassword: boolean;
  state: ShareState;
}

export interface NewShare {
  path: string;
  password?: string;
  expiresAt?: number;
  maxDownloads?: number;
}

/** POST /api/shares: the token is in this answer only. */
export interface CreatedShare {
  share: Share;
  token: string;
}

/** What anyone with the link sees (GET /api/s/:token). */
export interface SharedInfo {
  name: string;
  kind: 'dir' | 'file';
  /** null for a folder. */
  size: number | null;
  modifiedAt: number;
  needsPassword: boolean;
  unlocked: boolean;
  expiresAt: number | null;
  downloadsLeft: number | null;
}

/** An entry of a shared folder; `path` is relative to the shared folder ("/sub/a.txt"). */
export interface SharedEntry {
  name: string;
  path: string;
  kind: 'dir' | 'file';
  size: number;
  modifiedAt: number;
  etag: string | null;
}

export interface SharedPage {
  path: string;
  entries: SharedEntry[];
  nextCursor: string | null;
  total: number;
}
