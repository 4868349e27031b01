import { Worker } from 'node:worker_threads';
import type { Slot } from './slot-pool.js';

export interface FileDigest {
  sha256: string;
  size: number;
}

// Plain JavaScript so that it runs the same from sources (tsx) and from the build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const shared = Buffer.from(workerData.memory);
let fileBuffer = null;
function hashFile(path) {
  fileBuffer = fileBuffer || Buffer.allocUnsafe(4 * 1024 * 1024);
  const fd = fs.openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    let position = 0;
    for (;;) {
      const n = fs.readSync(fd, fileBuffer, 0, fileBuffer.length, position);
      if (n === 0) break;
      hash.update(fileBuffer.subarray(0, n));
      position += n;
    }
    return { sha256: hash.digest('hex'), size: position };
  } finally {
    fs.closeSync(fd);
  }
}
parentPort.on('message', (job) => {
  try {
    if (job.op === 'digest') {
      const digest = createHash('sha256').update(shared.subarray(job.offset, job.offset + job.length)).digest();
      parentPort.postMessage({ id: job.id, digest });
    } else {
      parentPort.postMessage({ id: job.id, file: hashFile(job.path) });
    }
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error && error.message) });
  }
});
`;

type Reply =
  { id: number; digest: Uint8Array } | { id: number; file: FileDigest } | { id: number; error: string };

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
  worker: WorkerState;
}

interface WorkerState {
  worker: Worker;
  busy: number;
}

/**
 * SHA-256 on worker threads: of bytes in the shared slot memory (chunk ids, verification) and of
 * whole files (a sealed pack's key), so that hashing runs beside the main thread instead of on it.
 */
export class HashWorkers {
  private readonly workers: WorkerState[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly memory: SharedArrayBuffer,
    count: number,
  ) {
    this.workers = Array.from({ length: count }, () => this.spawn());
  }

  private spawn(): WorkerState {
    const state: WorkerState = {
      worker: new Worker(WORKER_SOURCE, { eval: true, workerData: { memory: this.memory } }),
      busy: 0,
    };
    state.worker.unref();
    state.worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (--state.busy === 0) state.worker.unref();
      waiter.resolve(reply);
    });
    state.worker.on('error', (error) => this.fail(state, error));
    state.worker.on('exit', () => {
      if (this.closed) return;
      // Its jobs fail (their callers see an error, and give their slots back); a new worker takes its place.
      this.fail(state, new Error('a hashing worker exited'));
      const index = this.workers.indexOf(state);
      if (index >= 0) this.workers[index] = this.spawn();
    });
    return state;
  }

  private fail(state: WorkerState, error: Error): void {
    for (const [id, waiter] of this.pending) {
      if (waiter.worker !== state) continue;
      this.pending.delete(id);
      waiter.reject(error);
    }
    state.busy = 0;
  }

  private run(job: Record<string, unknown>): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error('hashing workers are closed'));
    const state = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    // Keep the process alive only while something is being hashed.
    if (state.busy++ === 0) state.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: state });
      state.worker.postMessage({ ...job, id });
    }).then((reply) => {
      const r = reply as Reply;
      if ('error' in r) throw new Error(`hashing failed: ${r.error}`);
      return r;
    });
  }

  /** SHA-256 of `length` bytes at `start` within a slot. */
  async digest(slot: Slot, start: number, length: number): Promise<Buffer> {
    const reply = await this.run({ op: 'digest', offset: slot.offset + start, length });
    return Buffer.from((reply as { digest: Uint8Array }).digest);
  }

  async file(path: string): Promise<FileDigest> {
    const reply = await this.run({ op: 'file', path });
    return (reply as { file: FileDigest }).file;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
