import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defer } from './cleanup.js';

const PREFIX = 'hubdrive-test-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let root: string | null = null;

/**
 * A fresh folder on tmpfs (/dev/shm; the system's temp folder where there is none), for tests that
 * move gigabytes. tmpfs is memory: the folder is removed when the test file ends, and the folders of
 * test processes that died before they could remove theirs are removed first.
 */
export function shmDir(label: string): string {
  if (!root) {
    const base = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
    for (const name of readdirSync(base)) {
      const pid = Number(name.slice(PREFIX.length));
      if (name.startsWith(PREFIX) && Number.isInteger(pid) && !alive(pid))
        rmSync(path.join(base, name), { recursive: true, force: true });
    }
    const mine = path.join(base, `${PREFIX}${process.pid}`);
    mkdirSync(mine, { recursive: true });
    defer(() => rmSync(mine, { recursive: true, force: true }));
    root = mine;
  }
  return mkdtempSync(path.join(root, `${label}-`));
}
