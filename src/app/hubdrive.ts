import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger as PinoLogger } from 'pino';
import type { BlobStore } from '../blobstore/blob-store.js';
import { HfDatasetStore } from '../blobstore/hf/hf-dataset-store.js';
import { LocalStore } from '../blobstore/local-store.js';
import type { Config } from '../config/config.js';
import { ContentEngine } from '../content/content-engine.js';
import type { RepackPolicy } from '../content/repacker.js';
import { createDrive, type Drive } from '../drive/drive.js';
import { createHttpServer } from '../http/server.js';
import { openDatabase, type Database } from '../meta/database.js';
import { installJournalTriggers } from '../meta/journal-triggers.js';
import { Replicator } from '../meta/replicator.js';
import { restoreMetadata } from '../meta/restore.js';
import { SqliteChunkIndex } from '../meta/sqlite-chunk-index.js';
import { SqlitePackCatalog } from '../meta/sqlite-pack-catalog.js';
import { SqliteRepackCatalog } from '../meta/sqlite-repack-catalog.js';

export interface Hubdrive {
  config: Config;
  db: Database;
  store: BlobStore;
  engine: ContentEngine;
  drive: Drive;
  replicator: Replicator;
  http: FastifyInstance;
  logger: PinoLogger;
  /** Starts listening; resolves with the address. */
  listen(): Promise<string>;
  /** Stops taking requests, flushes pending writes to the store, and closes everything. */
  close(options?: { flush?: boolean; graceMs?: number }): Promise<void>;
}

/** How long requests under way may still run at shutdown before their connections are cut. */
const SHUTDOWN_GRACE_MS = 8_000;

export interface HubdriveOverrides {
  logger?: PinoLogger;
  /** Replaces the configured store (tests wrap it to inject faults). */
  store?: BlobStore;
  /** Overrides of the repack policy (tests shorten the grace period). */
  repack?: Partial<RepackPolicy>;
}

/** Secrets that must never appear in a log line, wherever they sit in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
];

export function createLogger(level: Config['logLevel']): PinoLogger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}

async function openStore(config: Config, logger: PinoLogger): Promise<BlobStore> {
  const store = config.store;
  if (store.kind === 'local') return LocalStore.open({ dir: store.dir });
  return HfDatasetStore.open({
    hubUrl: store.hubUrl,
    token: store.token,
    repo: store.repo,
    createRepo: store.createRepo,
    commitsPerHour: store.commitsPerHour,
    logger: logger.child({ component: 'hf-store' }),
  });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Builds the whole application from a configuration: store, database, content engine, drive, HTTP. */
export async function createHubdrive(config: Config, overrides: HubdriveOverrides = {}): Promise<Hubdrive> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  await fs.mkdir(config.dataDir, { recursive: true });
  const store = overrides.store ?? (await openStore(config, logger));
  const dbFile = path.join(config.dataDir, 'hubdrive.db');
  // A wiped disk (a Space's restart): the metadata comes back from the store before anything serves.
  if (!(await exists(dbFile))) {
    await restoreMetadata({
      store,
      dbFile,
      workDir: path.join(config.dataDir, 'restore'),
      logger: logger.child({ component: 'restore' }),
    });
  }
  const db = await openDatabase(dbFile);
  await installJournalTriggers(db);
  const replicator = await Replicator.open({
    db,
    dbFile,
    store,
    workDir: path.join(config.dataDir, 'replication'),
    snapshotIntervalMs: config.replication.snapshotIntervalMs,
    logger: logger.child({ component: 'replication' }),
  });
  const engine = await ContentEngine.open({
    store,
    chunkIndex: new SqliteChunkIndex(db),
    catalog: new SqlitePackCatalog(db),
    repackCatalog: new SqliteRepackCatalog(db),
    repack: overrides.repack,
    stagingDir: ContentEngine.stagingDirFor(config.dataDir),
    chunker: config.chunker,
    packSize: config.packSize,
    stagingLimit: config.stagingLimit,
    flushIntervalMs: config.flushIntervalMs,
    writeMode: config.writeMode,
    logger: logger.child({ component: 'content' }),
    rider: replicator,
  });
  const drive = await createDrive({
    db,
    engine,
    sysToken: config.sysToken,
    defaultQuota: config.defaultQuota,
    versionsKeep: config.versionsKeep,
    sessionTtlMs: config.sessionTtlMs,
    replication: replicator,
  });
  replicator.start();
  const http = await createHttpServer({ config, drive, logger });
  let closed = false;
  return {
    config,
    db,
    store,
    engine,
    drive,
    replicator,
    http,
    logger,
    listen: () => http.listen({ port: config.port, host: config.host }),
    async close(options = {}) {
      if (closed) return;
      closed = true;
      const flush = options.flush !== false;
      // Stop taking requests; the ones under way go on for a while.
      const stopping = http.close();
      // Meanwhile, everything acknowledged so far goes to the store.
      if (flush)
        await engine
          .flush({ urgent: true })
          .catch((error: unknown) => logger.error({ err: error }, 'flush failed'));
      const finished = await Promise.race([
        stopping.then(() => true),
        sleep(options.graceMs ?? SHUTDOWN_GRACE_MS, false, { ref: false }),
      ]);
      if (!finished) {
        logger.warn('closing connections still open after the grace period');
        http.server.closeAllConnections();
        await stopping;
      }
      // A last snapshot, so that a restore after this stop needs no journal replay.
      if (flush)
        await replicator
          .snapshotIfChanged()
          .catch((error: unknown) => logger.error({ err: error }, 'final snapshot failed'));
      // Then whatever those last requests wrote, and the snapshot.
      await engine.close({ flush });
      await replicator.close();
      await db.destroy();
      await store.close();
    },
  };
}
