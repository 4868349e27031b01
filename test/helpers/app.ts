import type { AddressInfo } from 'node:net';
import type { Hubdrive, HubdriveOverrides } from '../../src/app/hubdrive.js';
import { buildApp, TEST_ADMIN_PASSWORD } from './drive.js';

export interface RunningApp {
  app: Hubdrive;
  /** The server's origin plus BASE_PATH, e.g. http://127.0.0.1:40123/drive */
  url: string;
  origin: string;
  dataDir: string;
  close(options?: Parameters<Hubdrive['close']>[0]): Promise<void>;
}

export const ADMIN_PASSWORD = TEST_ADMIN_PASSWORD;

/** Starts a real server on a loopback port (any free one) with its own data folder. */
export async function startApp(
  env: Record<string, string> = {},
  overrides: HubdriveOverrides = {},
): Promise<RunningApp> {
  const { app, dataDir, close } = await buildApp({ HOST: '127.0.0.1', ...env }, overrides, { port: 0 });
  await app.listen();
  const { port } = app.http.server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return { app, url: `${origin}${app.config.basePath}`, origin, dataDir, close };
}
