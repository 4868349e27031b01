import type { AddressInfo } from 'node:net';
import { createHubdrive, type Hubdrive, type HubdriveOverrides } from '../../src/app/hubdrive.js';
import { loadConfig } from '../../src/config/config.js';
import { defer } from './cleanup.js';
import { tempDir } from './temp.js';

export interface RunningApp {
  app: Hubdrive;
  /** The server's origin plus BASE_PATH, e.g. http://127.0.0.1:40123/drive */
  url: string;
  origin: string;
  dataDir: string;
  close(options?: { flush?: boolean }): Promise<void>;
}

export const ADMIN_PASSWORD = 'admin-password-1';

/** Starts a real server on a loopback port with its own data folder. */
export async function startApp(
  env: Record<string, string> = {},
  overrides: HubdriveOverrides = {},
): Promise<RunningApp> {
  const dataDir = env.DATA_DIR ?? tempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '7860',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SYS_TOKEN: ADMIN_PASSWORD,
    ...env,
  });
  config.port = 0;
  const app = await createHubdrive(config, overrides);
  await app.listen();
  const { port } = app.http.server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let closed = false;
  const close = async (options?: { flush?: boolean }) => {
    if (closed) return;
    closed = true;
    await app.close(options);
  };
  defer(() => close());
  return { app, url: `${origin}${config.basePath}`, origin, dataDir, close };
}
