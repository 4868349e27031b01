import { Worker } from 'node:worker_threads';

export interface FileDigest {
  sha256: string;
  size: number;
}

// Plain JavaScript so that it runs the same from sources (tsx) and from the build.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
parentPort.on('message', ({ id, path }) => {
  let fd = -1;
  try {
    fd = fs.openSync(path, 'r');
    const hash = createHash('sha256');
    let position = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, position);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      position += n;
    }
    parentPort.postMessage({ id, sha256: hash.digest('hex'), size: position });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) });
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
});
`;

type Reply = { id: number; sha256: string; size: number } | { id: number; error: string };

/**
 * Hashes whole files on a worker thread, so that sealing a 64 MiB pack does not stall the main
 * thread that is streaming uploads and downloads.
 */
export class FileHasher {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(d: FileDigest): void; reject(e: Error): void }>();

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      // Keep the process alive only while a file is being hashed.
      if (this.pending.size === 0) this.worker?.unref();
      if ('error' in reply) waiter.reject(new Error(`hashing failed: ${reply.error}`));
      else waiter.resolve({ sha256: reply.sha256, size: reply.size });
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      this.worker = null;
      this.failAll(new Error('hashing worker exited'));
    });
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  hash(path: string): Promise<FileDigest> {
    this.worker ??= this.start();
    const id = this.nextId++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, path });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
