import { spawn } from 'node:child_process';
import net from 'node:net';
import { defer } from './cleanup.js';

export interface ServerProcess {
  /** The server's base URL. */
  url: string;
  /** Everything it logged so far. */
  log(): string;
  /** Sends a signal; resolves with how it exited. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A free loopback port (taken and released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcessOptions {
  /** The working folder (the current one unless given). */
  cwd?: string;
  /** false: the child gets only HOST, PORT, LOG_LEVEL and `env`, none of this process's environment. */
  inheritEnv?: boolean;
}

/**
 * `hubdrive serve` in a child process of its own (so that it can be killed for real). HOST is
 * 127.0.0.1, PORT a free port and LOG_LEVEL info unless `env` says otherwise.
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const defaults = {
    HOST: '127.0.0.1',
    PORT: env.PORT ?? String(await freePort()),
    LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: options.cwd,
    env: { ...(options.inheritEnv === false ? {} : process.env), ...defaults, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      log += d.toString();
      const match = /"address":"(http:\/\/[^"]+)"/.exec(log);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`the server exited early:\n${log}`)));
  });
  return {
    url,
    log: () => log,
    async stop(signal) {
      child.kill(signal);
      return exited;
    },
  };
}
