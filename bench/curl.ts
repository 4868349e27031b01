import { spawn } from 'node:child_process';

/**
 * Runs curl and resolves with the wall time in seconds; fails on a non-2xx status. The body goes to
 * `output`, or nowhere.
 */
export function curl(args: string[], output = '/dev/null'): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('curl', ['-sS', '--fail', '-o', output, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve((performance.now() - start) / 1000);
      else reject(new Error(`curl ${args.join(' ')} failed (${code}): ${stderr}`));
    });
  });
}
