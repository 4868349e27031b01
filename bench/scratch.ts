// The bench writes gigabytes to tmpfs, which is memory: a run that is killed must not leave its files
// behind, or the next run (and everything else on the machine) starts short of memory.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'hubdrive-bench-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Makes this run's scratch folder path, after removing the folders of runs that are no longer alive. */
export function scratchRoot(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  for (const name of readdirSync(base)) {
    const pid = Number(name.slice(PREFIX.length));
    if (name.startsWith(PREFIX) && Number.isInteger(pid) && !alive(pid))
      rmSync(path.join(base, name), { recursive: true, force: true });
  }
  const root = path.join(base, `${PREFIX}${process.pid}`);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      rmSync(root, { recursive: true, force: true });
      process.exit(128 + os.constants.signals[signal]);
    });
  return root;
}
