import type { Tokens } from './auth.js';
import type { FaultInjector } from './faults.js';
import type { ApiBudget, CommitBudget } from './rate-limits.js';
import type { RepoRegistry } from './repo-registry.js';
import type { UrlSigner } from './signed-url.js';

/** The limits the emulator enforces, all settled at start. */
export interface HubLimits {
  maxFileSize: number;
  maxEntriesPerFolder: number;
  /** LFS objects larger than this are uploaded in parts (when the client offers "multipart"). */
  multipartThreshold: number;
  multipartChunkSize: number;
  /** LFS uploads no commit references yet survive a super-squash this long (they may be in flight). */
  orphanGraceMs: number;
}

/** Everything a request handler may use. */
export interface Hub {
  limits: HubLimits;
  now: () => number;
  repos: RepoRegistry;
  tokens: Tokens;
  signer: UrlSigner;
  commitBudget: CommitBudget;
  apiBudget: ApiBudget | null;
  faults: FaultInjector;
  /** Regular files resolve to a relative /api/resolve-cache/… redirect. */
  resolveCacheRedirects: boolean;
  /** Temp files, on the same file system as the repos so that renames are atomic. */
  tmpDir: string;
}
