import { spawn, type ChildProcess } from 'node:child_process';
import { defer } from './cleanup.js';
import { tempDir } from './temp.js';

export const RCLONE = '/usr/bin/rclone';

export interface WebdavServer {
  /** The server's root, ending in "/". */
  url: string;
  /** The folder it serves. */
  root: string;
}

/** Debian's rclone serving `root` over WebDAV on loopback; stopped when the file's tests end. */
export async function startRclone(
  root: string,
  options: { user: string; password: string; port?: number },
): Promise<WebdavServer> {
  const home = tempDir('hubdrive-rclone-home');
  const child = spawn(
    RCLONE,
    [
      'serve',
      'webdav',
      '--config',
      '',
      '--addr',
      `127.0.0.1:${options.port ?? 0}`,
      '--user',
      options.user,
      '--pass',
      options.password,
      root,
    ],
    { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  defer(() => stop(child));
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (data: Buffer) => {
      stderr += data.toString();
      const started = /WebDav Server started on (http:\/\/\S+?\/)/.exec(stderr);
      if (started) resolve(started[1]!);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`rclone exited (${code}) before serving:\n${stderr}`)));
  });
  await waitUntilAnswering(url);
  return { url, root };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function waitUntilAnswering(url: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, { method: 'OPTIONS' });
      await response.arrayBuffer();
      return;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
