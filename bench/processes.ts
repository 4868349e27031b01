import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** USER_HZ, which Linux fixes at 100 for /proc. */
const CLOCK_TICKS = 100;

export interface Child {
  process: ChildProcess;
  /** Peak resident memory so far (VmHWM), in bytes. */
  peakRss(): number;
  /** CPU time (user + system) used so far, in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Starts a child and waits until a line of its output matches `ready`. */
export function startChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<Child> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data.toString();
      if (ready.test(output)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({
          process: child,
          peakRss: () => {
            const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
            return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
          },
          cpuSeconds: () => {
            // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, after the ")" of the name.
            const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
            return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
          },
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${output}`)));
  });
}
