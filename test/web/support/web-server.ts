import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServerProcess } from '../../helpers/server-process.js';
import { tempDir } from '../../helpers/temp.js';

/** The repository's root (the server runs from there, as `npm start` does). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'web-admin-password-1';

export interface WebServerOptions {
  /** BASE_PATH, e.g. '/drive'; '' serves at the root. */
  basePath?: string;
  /** false: no SYS_TOKEN, so the first visitor gets the first-run setup. */
  sysToken?: boolean;
  /** An existing DATA_DIR (seeded before start); a fresh temp folder otherwise. */
  dataDir?: string;
  /** More environment (sizes, intervals). */
  env?: Record<string, string>;
}

export interface WebServer {
  /** Origin plus BASE_PATH, no trailing slash: http://127.0.0.1:40123/drive */
  url: string;
  origin: string;
  /** Everything the current process logged. */
  log(): string;
  /** SIGKILL: the process dies at once, mid-request, as in a crash. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and DATA_DIR (after kill or stop). */
  restart(): Promise<void>;
}

/** Fails with the fix when the UI was not built: the server would serve no page at all. */
export function assertUiBuilt(): void {
  const index = path.join(REPO_ROOT, 'dist', 'web', 'index.html');
  if (!existsSync(index)) {
    throw new Error(`the web UI is not built (${index} is missing): run npm run build`);
  }
}

/**
 * `hubdrive serve` as a child process of its own, with an environment built from scratch (an outer
 * SYS_TOKEN or HF_TOKEN must not leak in), serving the built UI from dist/web.
 */
export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  assertUiBuilt();
  const basePath = options.basePath ?? '';
  const dataDir = options.dataDir ?? tempDir('hubdrive-web');
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    STORE: 'local',
    BASE_PATH: basePath,
    LOG_LEVEL: 'info',
    GC_INTERVAL: '0',
    ...(options.sysToken === false ? {} : { SYS_TOKEN: ADMIN_PASSWORD }),
    ...options.env,
  };

  let server = await startServerProcess(env, { cwd: REPO_ROOT, inheritEnv: false });

  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${basePath}`,
    origin,
    log: () => server.log(),
    async kill() {
      await server.stop('SIGKILL');
    },
    async restart() {
      server = await startServerProcess(env, { cwd: REPO_ROOT, inheritEnv: false });
    },
  };
}
