import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { envSchema, type ParsedEnv } from './schema.js';
import { formatSize } from './sizes.js';

export interface ChunkerParams {
  min: number;
  avg: number;
  max: number;
}

export interface LocalStoreConfig {
  kind: 'local';
  dir: string;
}

export interface HfStoreConfig {
  kind: 'hf';
  hubUrl: string;
  token: string;
  repo: string;
  createRepo: boolean;
  commitsPerHour: number;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  basePath: string;
  decoyDir: string;
  sysToken: string | undefined;
  store: LocalStoreConfig | HfStoreConfig;
  allowIps: string[] | undefined;
  trustProxy: boolean | number | string[];
  chunker: ChunkerParams;
  packSize: number;
  stagingLimit: number;
  flushIntervalMs: number;
  writeMode: 'buffered' | 'durable';
  versionsKeep: number;
  defaultQuota: number | null;
  sessionTtlMs: number;
  secureCookies: boolean | undefined;
  webdav: WebdavConfig;
  /** Metadata replication: full snapshots, and their optional extra copy on a WebDAV server. */
  replication: ReplicationConfig;
  /** Milliseconds between automatic garbage collections, or null for never. */
  gcIntervalMs: number | null;
  logLevel: ParsedEnv['LOG_LEVEL'];
}

export interface WebdavConfig {
  /** Answer PROPFIND with Depth: infinity (off: 403 propfind-finite-depth). */
  depthInfinity: boolean;
  /** What to do with the ._* and .DS_Store files macOS Finder writes. */
  macFiles: 'store' | 'ignore';
}

/** How the metadata is mirrored (SYNC_INTERVAL, WEBDAV_*). */
export interface ReplicationConfig {
  /** Milliseconds between full snapshots of the metadata (SYNC_INTERVAL). */
  snapshotIntervalMs: number;
  backup: WebdavBackupConfig | null;
}

/** Where the extra copy of each snapshot goes (WEBDAV_URL, WEBDAV_USERNAME, WEBDAV_PASSWORD). */
export interface WebdavBackupConfig {
  /** The folder's URL, without credentials, ending in "/". */
  url: string;
  username: string | undefined;
  password: string | undefined;
}

function backupConfig(env: ParsedEnv): WebdavBackupConfig | null {
  const url = env.WEBDAV_URL;
  if (!url) return null;
  // Credentials in the URL are the same as the two variables; the variables win.
  const username = env.WEBDAV_USERNAME ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = env.WEBDAV_PASSWORD ?? (url.password ? decodeURIComponent(url.password) : undefined);
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  if (!bare.pathname.endsWith('/')) bare.pathname += '/';
  return { url: bare.href, username, password };
}

/** Start-up stops with this; its message names each bad variable and what it expects. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_DECOY_DIR = fileURLToPath(new URL('../../decoy', import.meta.url));

function storeKind(env: ParsedEnv): 'local' | 'hf' {
  return env.STORE ?? (env.HF_DATASET_REPO ? 'hf' : 'local');
}

function storeConfig(env: ParsedEnv): LocalStoreConfig | HfStoreConfig {
  if (storeKind(env) === 'local') {
    return { kind: 'local', dir: path.resolve(env.LOCAL_STORE_DIR ?? path.join(env.DATA_DIR, 'store')) };
  }
  return {
    kind: 'hf',
    hubUrl: env.HF_ENDPOINT,
    token: env.HF_TOKEN!,
    repo: env.HF_DATASET_REPO!,
    createRepo: env.HF_CREATE_REPO,
    commitsPerHour: env.HF_COMMITS_PER_HOUR,
  };
}

function checkRelations(env: ParsedEnv): string[] {
  const problems: string[] = [];
  if (!env.STORE && env.HF_TOKEN && !env.HF_DATASET_REPO) {
    // Without this the drive would quietly keep files on local disk, which is lost on a Space restart.
    problems.push(
      'HF_DATASET_REPO: HF_TOKEN is set but HF_DATASET_REPO is not; set HF_DATASET_REPO to the dataset repo to keep files in (such as alice/my-drive), or STORE=local to keep them on local disk',
    );
  }
  if (storeKind(env) === 'hf') {
    if (!env.HF_TOKEN)
      problems.push('HF_TOKEN: expected a Hugging Face access token with write access (the store is "hf")');
    if (!env.HF_DATASET_REPO)
      problems.push('HF_DATASET_REPO: expected the dataset repo to keep files in, such as alice/my-drive');
  }
  if (!env.WEBDAV_URL && (env.WEBDAV_USERNAME !== undefined || env.WEBDAV_PASSWORD !== undefined)) {
    problems.push(
      'WEBDAV_URL: WEBDAV_USERNAME or WEBDAV_PASSWORD is set but WEBDAV_URL is not; set WEBDAV_URL to the WebDAV folder that keeps the extra copy of the metadata snapshots',
    );
  }
  const { CHUNK_MIN: min, CHUNK_AVG: avg, CHUNK_MAX: max } = env;
  if (min < 64 * 1024) problems.push(`CHUNK_MIN: expected at least 64 KiB, got ${formatSize(min)}`);
  if (!(min < avg && avg < max)) {
    problems.push(
      `CHUNK_MIN, CHUNK_AVG, CHUNK_MAX: expected min < avg < max, got ${formatSize(min)} / ${formatSize(avg)} / ${formatSize(max)}`,
    );
  }
  if ((avg & (avg - 1)) !== 0) problems.push(`CHUNK_AVG: expected a power of two, got ${avg}`);
  if (max > 64 * 1024 * 1024) problems.push(`CHUNK_MAX: expected at most 64 MiB, got ${formatSize(max)}`);
  if (env.PACK_SIZE < max) problems.push(`PACK_SIZE: expected at least CHUNK_MAX (${formatSize(max)})`);
  if (env.STAGING_LIMIT < 2 * env.PACK_SIZE) {
    problems.push(`STAGING_LIMIT: expected at least twice PACK_SIZE (${formatSize(2 * env.PACK_SIZE)})`);
  }
  return problems;
}

/** Variables whose values are never repeated in a message. */
// WEBDAV_URL may carry credentials (https://user:password@host/).
const SECRET_NAME = /TOKEN|PASSWORD|SECRET|KEY|^WEBDAV_URL$/;

/** Reads and validates the configuration from environment variables. Throws ConfigError. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((k) => [k, source[k]] as const)
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const shown = SECRET_NAME.test(name) ? '' : ` (got ${JSON.stringify(present[name] ?? '')})`;
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  const env = parsed.data;
  const problems = checkRelations(env);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir: env.DATA_DIR,
    basePath: env.BASE_PATH,
    decoyDir: env.DECOY_DIR ? path.resolve(env.DECOY_DIR) : DEFAULT_DECOY_DIR,
    sysToken: env.SYS_TOKEN,
    store: storeConfig(env),
    allowIps: env.ALLOW_IPS,
    trustProxy: env.TRUST_PROXY,
    chunker: { min: env.CHUNK_MIN, avg: env.CHUNK_AVG, max: env.CHUNK_MAX },
    packSize: env.PACK_SIZE,
    stagingLimit: env.STAGING_LIMIT,
    flushIntervalMs: env.FLUSH_INTERVAL * 1000,
    writeMode: env.WRITE_MODE,
    versionsKeep: env.VERSIONS_KEEP,
    defaultQuota: env.DEFAULT_QUOTA ?? null,
    sessionTtlMs: env.SESSION_TTL * 1000,
    secureCookies: env.SECURE_COOKIES,
    webdav: { depthInfinity: env.WEBDAV_DEPTH_INFINITY, macFiles: env.WEBDAV_MAC_FILES },
    replication: { snapshotIntervalMs: env.SYNC_INTERVAL * 1000, backup: backupConfig(env) },
    gcIntervalMs: env.GC_INTERVAL > 0 ? env.GC_INTERVAL * 1000 : null,
    logLevel: env.LOG_LEVEL,
  };
}
