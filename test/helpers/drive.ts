import { Readable } from 'node:stream';
import { createHubdrive, type Hubdrive, type HubdriveOverrides } from '../../src/app/hubdrive.js';
import { loadConfig } from '../../src/config/config.js';
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

export interface OpenDrive {
  app: Hubdrive;
  admin: User;
  dataDir: string;
  close(options?: { flush?: boolean }): Promise<void>;
}

/** The whole application without the listening socket: real SQLite, real local store, temp folder. */
export async function openDrive(
  env: Record<string, string> = {},
  overrides: HubdriveOverrides = {},
): Promise<OpenDrive> {
  const dataDir = env.DATA_DIR ?? tempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SYS_TOKEN: TEST_ADMIN_PASSWORD,
    ...env,
  });
  const app = await createHubdrive(config, overrides);
  const admin = await app.drive.users.authenticate('admin', TEST_ADMIN_PASSWORD);
  let closed = false;
  const close = async (options?: { flush?: boolean }) => {
    if (closed) return;
    closed = true;
    await app.close(options);
  };
  defer(() => close());
  return { app, admin, dataDir, close };
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
