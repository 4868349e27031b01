import { existsSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createHubdrive, createLogger, type Hubdrive } from '../app/hubdrive.js';
import { DataDirLockedError } from '../app/data-dir-lock.js';
import { loadConfigOrSay } from './load-config.js';

/**
 * Opens the drive for a maintenance command (gc, fsck) without serving it, runs `work`, and closes
 * it. It takes DATA_DIR's lock like a server, so it stops with a message while a server runs there.
 * No request can be reading moved chunks here, so retired packs need no grace period. Logs go to
 * stderr (warnings only, unless LOG_LEVEL says otherwise); stdout is the command's answer.
 *
 * It works only on a DATA_DIR that holds the drive's database: one it would restore from the store
 * belongs to a drive running elsewhere (a Space), whose newer packs it would take for orphans.
 * Unless `changesStore`, the engine moves and deletes nothing by itself (fsck, a dry run).
 */
export async function withOfflineApp(
  command: 'gc' | 'fsck',
  options: { changesStore: boolean },
  work: (app: Hubdrive) => Promise<number>,
): Promise<number> {
  const config = loadConfigOrSay();
  if (!config) return 2;
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn', pino.destination(2));
  if (!existsSync(path.join(config.dataDir, 'hubdrive.db'))) {
    process.stderr.write(
      `hubdrive ${command}: DATA_DIR ${config.dataDir} holds no drive database; run ${command} where the drive runs (POST /api/admin/${command} on its server), or point DATA_DIR at its data\n`,
    );
    return 1;
  }
  // Automatic repacking never starts here; only a real gc deletes, without the grace for readers.
  const repack = options.changesStore
    ? { threshold: Number.POSITIVE_INFINITY, graceMs: 0 }
    : { threshold: Number.POSITIVE_INFINITY, graceMs: Number.MAX_SAFE_INTEGER };
  let app: Hubdrive;
  try {
    app = await createHubdrive({ ...config, gcIntervalMs: null }, { logger, repack });
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    process.stderr.write(
      `hubdrive ${command}: a hubdrive server is running on DATA_DIR ${config.dataDir} (or another gc or fsck); use POST /api/admin/${command}, or stop it\n`,
    );
    return 1;
  }
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}
