import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { BlobStore } from '../blobstore/blob-store.js';
import { HfDatasetStore } from '../blobstore/hf/hf-dataset-store.js';
import { LocalStore } from '../blobstore/local-store.js';
import type { Config } from '../config/config.js';
import { ContentEngine } from '../content/content-engine.js';
import type { RepackPolicy } from '../content/repacker.js';
import { createDrive, type Drive } from '../drive/drive.js';
import { createHttpServer } from '../http/server.js';
import { openDatabase, type Database } from '../meta/database.js';
import { Replicator } from '../meta/replicator.js';
import { restoreMetadata } from '../meta/restore.js';
import { WebdavBackup } from '../meta/webdav-backup.js';
import { SqliteChunkIndex } from '../meta/sqlite-chunk-index.js';
import { SqliteGcCatalog } from '../meta/sqlite-gc-catalog.js';
import { SqlitePackCatalog } from '../meta/sqlite-pack-catalog.js';
import { SqliteRepackCatalog } from '../meta/sqlite-repack-catalog.js';
import { UploadExpiry, UPLOAD_SWEEP_INTERVAL_MS } from './upload-expiry.js';
import { DataDirLock } from './data-dir-lock.js';
import { GcScheduler, type GcClock } from './gc-scheduler.js';

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
/** How long uploads cut off at shutdown may take to record what they received. */
const UPLOADS_IDLE_MS = 5_000;

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

/** The drive's logger, with secrets redacted; to stdout unless `destination` says otherwise. */
export function createLogger(level: Config['logLevel'], destination?: DestinationStream): PinoLogger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
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

/** A time kept in the settings table (replicated to the store with the rest of the metadata). */
function settingClock(db: Database, key: string): GcClock {
  return {
    async read() {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row ? Number(row.value) : null;
    },
    async write(at) {
      await db
        .insertInto('settings')
        .values({ key, value: String(at) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(at) }))
        .execute();
    },
  };
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Builds the whole application from a configuration: store, database, content engine, drive, HTTP.
 * It holds DATA_DIR (DataDirLockedError while another process does) until it is closed, and runs gc
 * every GC_INTERVAL.
 */
export async function createHubdrive(config: Config, overrides: HubdriveOverrides = {}): Promise<Hubdrive> {
  await fs.mkdir(config.dataDir, { recursive: true });
  const lock = DataDirLock.acquire(config.dataDir);
  let app: Hubdrive;
  try {
    app = await assemble(config, overrides);
  } catch (error) {
    lock.release();
    throw error;
  }
  const scheduler = new GcScheduler({
    intervalMs: config.gcIntervalMs,
    maintenance: app.drive.maintenance,
    logger: app.logger.child({ component: 'gc' }),
    clock: settingClock(app.db, 'gc_scheduled_at'),
  });
  await scheduler.start();
  const expiry = new UploadExpiry({
    uploads: app.drive.uploads,
    intervalMs: UPLOAD_SWEEP_INTERVAL_MS,
    logger: app.logger.child({ component: 'uploads' }),
  });
  await expiry.start();
  return {
    ...app,
    async close(options) {
      scheduler.stop();
      await expiry.stop();
      try {
        await app.close(options);
      } finally {
        lock.release();
      }
    },
  };
}

async function assemble(config: Config, overrides: HubdriveOverrides): Promise<Hubdrive> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const store = overrides.store ?? (await openStore(config, logger));
  const dbFile = path.join(config.dataDir, 'hubdrive.db');
  // The guide's WEBDAV_URL: an extra copy of each snapshot, and a source when the store has none.
  const backup = config.replication.backup
    ? new WebdavBackup({
        config: config.replication.backup,
        logger: logger.child({ component: 'webdav-backup' }),
      })
    : null;
  // A wiped disk (a Space's restart): the metadata comes back from the store before anything serves.
  if (!(await exists(dbFile))) {
    await restoreMetadata({
      store,
      dbFile,
      workDir: path.join(config.dataDir, 'restore'),
      logger: logger.child({ component: 'restore' }),
      archive: backup,
    });
  }
  const db = await openDatabase(dbFile);
  const replicator = await Replicator.open({
    db,
    dbFile,
    store,
    workDir: path.join(config.dataDir, 'replication'),
    snapshotIntervalMs: config.replication.snapshotIntervalMs,
    logger: logger.child({ component: 'replication' }),
    copies: backup,
  });
  const engine = await ContentEngine.open({
    store,
    chunkIndex: new SqliteChunkIndex(db),
    catalog: new SqlitePackCatalog(db),
    repackCatalog: new SqliteRepackCatalog(db),
    gcCatalog: new SqliteGcCatalog(db),
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
      // Uploads cut off just now record what they received (bounded: none may hold the stop up).
      await Promise.race([drive.uploads.idle(), sleep(UPLOADS_IDLE_MS, undefined, { ref: false })]);
      if (flush) {
        // What those last requests wrote goes first: the snapshot may take a while, and the
        // platform may not wait for it.
        await engine
          .flush({ urgent: true })
          .catch((error: unknown) => logger.error({ err: error }, 'flush failed'));
        // A last snapshot, so that a restore after this stop needs no journal replay.
        await replicator
          .snapshotIfChanged()
          .catch((error: unknown) => logger.error({ err: error }, 'final snapshot failed'));
      }
      // Then the snapshot (and anything else left).
      await engine.close({ flush });
      await replicator.close();
      await db.destroy();
      await store.close();
    },
  };
}
