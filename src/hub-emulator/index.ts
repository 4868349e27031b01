import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isNotFound, writeFileDurably } from './atomic-file.js';
import { Tokens, type TokenSpec } from './auth.js';
import { FaultInjector, type HubFaults } from './faults.js';
import { largestFolder } from './file-table.js';
import type { Hub } from './hub.js';
import { ApiBudget, CommitBudget } from './rate-limits.js';
import { RepoRegistry } from './repo-registry.js';
import { isValidRepoName } from './repo-path.js';
import { DEFAULT_BRANCH } from './repository.js';
import { ROUTES } from './routes.js';
import { createHubServer } from './server.js';
import { UrlSigner } from './signed-url.js';

export type { HubFaults } from './faults.js';
export type { TokenRole, TokenSpec } from './auth.js';

const MiB = 1024 * 1024;

export interface HubEmulatorOptions {
  /** Where repos, their history and objects persist; a restart on the same folder finds them. */
  dir: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: one write token, `hf_emulator`, of the user `emulator`. */
  tokens?: TokenSpec[];
  /** Commits per repo per rolling hour; default 128. */
  commitsPerHour?: number;
  /** Largest LFS object accepted at the LFS batch; default 500 GB. */
  maxFileSize?: number;
  /** Default 10,000. */
  maxEntriesPerFolder?: number;
  /** LFS objects larger than this upload in parts; default 16 MiB. */
  multipartThreshold?: number;
  /** Default 8 MiB. */
  multipartChunkSize?: number;
  /** The clock (ms) for budgets, URL expiry and commit dates; default Date.now. */
  now?: () => number;
  /** API calls per token (or address) per fixed 5-minute window; default unlimited. */
  apiCallsPer5Minutes?: number;
  /** Lifetime of signed upload and download URLs; default 3600 s. */
  urlTtlSeconds?: number;
  /**
   * Resolve of a regular file answers 307 to a relative `/api/resolve-cache/…` URL, as the Hub
   * does, instead of serving it in place; default false.
   */
  resolveCacheRedirects?: boolean;
}

export interface HubRepoStats {
  /** Commits in the history of `main`. */
  commits: number;
  /** Bytes of every object any commit of the history references (the Hub's storage usage). */
  storageBytes: number;
  /** Files at the head of `main`. */
  files: number;
  /** Entries of the fullest folder at the head of `main`. */
  largestFolder: number;
  /** LFS objects the repo stores, committed or not. */
  lfsObjects: number;
}

export interface HubEmulator {
  /** `http://host:port`, the `hubUrl` to give the client. */
  url: string;
  close(): Promise<void>;
  /** Replaces the faults (and restarts their PRNG). `setFaults({})` turns them off. */
  setFaults(faults: HubFaults): void;
  stats(repo: string): Promise<HubRepoStats>;
  /** Creates `ns/name` as its owner would, without a request (and without spending any budget). */
  createRepo(repo: string, options?: { private?: boolean }): Promise<void>;
}

/** The HMAC key of signed URLs, kept in the folder so that URLs handed out survive a restart. */
async function loadSecret(dir: string, tmpDir: string): Promise<Buffer> {
  const file = path.join(dir, 'secret');
  try {
    return await fs.readFile(file);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const secret = randomBytes(32);
  await writeFileDurably(file, secret, tmpDir);
  return secret;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < 1) {
    throw new Error(`hub emulator: ${name} must be a positive integer`);
  }
  return chosen;
}

/** Starts a Hugging Face Hub emulator on loopback (see docs in this folder's modules). */
export async function startHubEmulator(options: HubEmulatorOptions): Promise<HubEmulator> {
  const dir = path.resolve(options.dir);
  const tmpDir = path.join(dir, 'tmp');
  await fs.rm(tmpDir, { recursive: true, force: true });
  await fs.mkdir(tmpDir, { recursive: true });
  const now = options.now ?? Date.now;
  const secret = await loadSecret(dir, tmpDir);
  const repos = await RepoRegistry.open(path.join(dir, 'repos'), tmpDir);
  const commitBudget = new CommitBudget(positive('commitsPerHour', options.commitsPerHour, 128), now);
  for (const repo of repos.all()) commitBudget.seed(repo.name, repo.datesOfCommits());
  const hub: Hub = {
    limits: {
      maxFileSize: positive('maxFileSize', options.maxFileSize, 500_000_000_000),
      maxEntriesPerFolder: positive('maxEntriesPerFolder', options.maxEntriesPerFolder, 10_000),
      multipartThreshold: positive('multipartThreshold', options.multipartThreshold, 16 * MiB),
      multipartChunkSize: positive('multipartChunkSize', options.multipartChunkSize, 8 * MiB),
      orphanGraceMs: 3_600_000,
    },
    now,
    repos,
    tokens: new Tokens(options.tokens ?? [{ token: 'hf_emulator', role: 'write', user: 'emulator' }]),
    signer: new UrlSigner(secret, now, positive('urlTtlSeconds', options.urlTtlSeconds, 3600)),
    commitBudget,
    apiBudget:
      options.apiCallsPer5Minutes === undefined
        ? null
        : new ApiBudget(positive('apiCallsPer5Minutes', options.apiCallsPer5Minutes, 1), now),
    faults: new FaultInjector(),
    resolveCacheRedirects: options.resolveCacheRedirects ?? false,
    tmpDir,
  };
  const { server, settle } = createHubServer(hub, ROUTES);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await settle();
    },
    setFaults(faults) {
      hub.faults.set(faults);
    },
    async stats(name) {
      const repo = repos.get(name);
      const head = repo?.head(DEFAULT_BRANCH);
      if (!repo || !head) throw new Error(`hub emulator: no repo ${name}`);
      return {
        commits: repo.historyLength(DEFAULT_BRANCH),
        storageBytes: repo.storage.bytes,
        files: head.files.size,
        largestFolder: largestFolder(head.files).entries,
        lfsObjects: repo.objects.lfsObjects().length,
      };
    },
    async createRepo(name, createOptions) {
      if (!isValidRepoName(name)) throw new Error(`hub emulator: invalid repo name ${name}`);
      await repos.create({
        name,
        private: createOptions?.private ?? false,
        author: name.split('/')[0]!,
        date: now(),
      });
    },
  };
}
