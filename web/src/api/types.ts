/** The JSON the server sends (see the README's HTTP API). */

export type Role = 'admin' | 'user';

export interface User {
  id: number;
  username: string;
  role: Role;
  quotaBytes: number | null;
  usedBytes: number;
  disabled: boolean;
  createdAt: number;
}

export interface SessionInfo {
  user: User;
  csrfToken: string;
}

export interface Entry {
  id: number;
  name: string;
  path: string;
  kind: 'dir' | 'file';
  size: number;
  createdAt: number;
  modifiedAt: number;
  etag: string | null;
}

export type SortKey = 'name' | 'size' | 'modified';
export type SortOrder = 'asc' | 'desc';

export interface ListPage {
  path: string;
  entries: Entry[];
  nextCursor: string | null;
  /** Entries in the whole folder, when the server counts them. */
  total?: number;
}

export interface ErrorBody {
  error: { code: string; message: string };
}
