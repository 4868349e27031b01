import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Role, User } from '../api/types';

/** The answers of /api/admin/* (src/drive/drive.ts StoreStatus, src/content/*, src/meta/*). */

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  /** Absent: the server's DEFAULT_QUOTA for a user, none for an admin; null: none. */
  quotaBytes?: number | null;
}

export interface UserChanges {
  password?: string;
  quotaBytes?: number | null;
  disabled?: boolean;
  role?: Role;
}

/** The WebDAV copy of the metadata snapshots (src/meta/webdav-backup.ts). */
export interface BackupStatus {
  url: string;
  lastUploadAt: number | null;
  lastSeq: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

export interface ReplicationStatus {
  latestSeq: number;
  shippedSeq: number;
  oldestPendingAt: number | null;
  snapshotsInStore: number;
  segmentsInStore: number;
  lastSnapshot: { seq: number; at: number; bytes: number } | null;
  pendingSnapshotSeq: number | null;
  lastError: string | null;
  /** Typed loosely by the server; read through backupOf. */
  backup: unknown;
}

export interface StoreStatus {
  store: string;
  writeMode: string;
  /** Bytes acknowledged to clients but not yet committed to the store. */
  pendingBytes: number;
  pendingPacks: number;
  oldestPendingAt: number | null;
  lastCommitAt: number | null;
  lastError: string | null;
  /** null: the store has no commit budget. */
  commitsLeftThisHour: number | null;
  buffers: { total: number; free: number };
  usage: { usedBytes: number | null; quotaBytes?: number | null } | null;
  replication: ReplicationStatus | null;
}

export interface GcReport {
  dryRun: boolean;
  chunksDropped: number;
  bytesDropped: number;
  packsRepacked: number;
  packsWritten: number;
  bytesMoved: number;
  packsDeleted: number;
  orphansDeleted: number;
  historyReclaimed: boolean;
  storeBytesBefore: number;
  storeBytesAfter: number;
  usageBefore: number | null;
  usageAfter: number | null;
}

export interface FsckProblem {
  kind: string;
  manifest?: number;
  chunk?: string;
  pack?: number;
  key?: string;
  expected?: number | null;
  actual?: number | null;
  detail?: string;
  repairable: boolean;
}

export interface FsckReport {
  verify: boolean;
  repair: boolean;
  dryRun: boolean;
  problemCount: number;
  problems: FsckProblem[];
  repaired: number;
  checked: {
    manifests: number;
    chunks: number;
    packs: number;
    objects: number;
    chunksVerified: number;
    bytesVerified: number;
  };
}

export function backupOf(replication: ReplicationStatus | null): BackupStatus | null {
  const backup = replication?.backup;
  if (typeof backup !== 'object' || backup === null || typeof (backup as BackupStatus).url !== 'string') {
    return null;
  }
  return backup as BackupStatus;
}

export const USERS_KEY = ['admin', 'users'] as const;
export const STORE_KEY = ['admin', 'store'] as const;

export function useUsers() {
  return useQuery({
    queryKey: USERS_KEY,
    queryFn: async ({ signal }) => (await api<{ users: User[] }>('/admin/users', { signal })).users,
  });
}

/** Polled every 5 s while the page is shown (TanStack Query pauses it in a hidden tab). */
export function useStoreStatus() {
  return useQuery({
    queryKey: STORE_KEY,
    queryFn: ({ signal }) => api<StoreStatus>('/admin/store', { signal }),
    refetchInterval: 5000,
  });
}

export const createUser = (input: NewUser) => api<{ user: User }>('/admin/users', { body: input });

export const updateUser = (id: number, changes: UserChanges) =>
  api<{ user: User }>(`/admin/users/${id}`, { method: 'PATCH', body: changes });

export const runGc = (options: { dryRun?: boolean }) => api<GcReport>('/admin/gc', { body: options });

export const runFsck = (options: { verify?: boolean; repair?: boolean; dryRun?: boolean }) =>
  api<FsckReport>('/admin/fsck', { body: options });
