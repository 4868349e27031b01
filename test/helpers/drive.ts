import { Readable } from 'node:stream';
import { createHubdrive, type Hubdrive, type HubdriveOverrides } from '../../src/app/hubdrive.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import type { User } from '../../src/drive/users.js';
import { defer } from './cleanup.js';
import { tempDir } from './temp.js';

export const TEST_ADMIN_PASSWORD = 'admin-password-1';

/** Small chunks and packs, so that a few MiB cross many chunk and pack borders. */
export const SMALL_CONTENT_ENV = {
  CHUNK_MIN: '64KiB',
  CHUNK_AVG: '256KiB',
  CHUNK_MAX: '1MiB',
  PACK_SIZE: '4MiB',
  STAGING_LIMIT: '64MiB',
};

export interface TestApp {
  app: Hubdrive;
  dataDir: string;
  close(options?: Parameters<Hubdrive['close']>[0]): Promise<void>;
}

export interface OpenDrive extends TestApp {
  admin: User;
}

/** The whole application without the listening socket: real SQLite, real local store, temp folder. */
export async function buildApp(
  env: Record<string, string> = {},
  overrides: HubdriveOverrides = {},
  configChanges: Partial<Config> = {},
): Promise<TestApp> {
  const dataDir = env.DATA_DIR ?? tempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SYS_TOKEN: TEST_ADMIN_PASSWORD,
    ...env,
  });
  const app = await createHubdrive({ ...config, ...configChanges }, overrides);
  let closed = false;
  const close = async (options?: Parameters<Hubdrive['close']>[0]) => {
    if (closed) return;
    closed = true;
    await app.close(options);
  };
  defer(() => close());
  return { app, dataDir, close };
}

/** buildApp, signed in as the SYS_TOKEN admin. */
export async function openDrive(
  env: Record<string, string> = {},
  overrides: HubdriveOverrides = {},
  configChanges: Partial<Config> = {},
): Promise<OpenDrive> {
  const built = await buildApp(env, overrides, configChanges);
  const admin = await built.app.drive.users.authenticate('admin', built.app.config.sysToken ?? '');
  return { ...built, admin };
}

export function streamOf(data: Buffer, piece = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += piece) yield data.subarray(at, at + piece);
    })(),
  );
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** The folder of a local store (tests of the embedded default look at its files). */
export function localStoreDir(app: Hubdrive): string {
  if (app.config.store.kind !== 'local') throw new Error('not a local store');
  return app.config.store.dir;
}
