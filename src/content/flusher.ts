import { promises as fs } from 'node:fs';
import { createReadStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobStore } from '../blobstore/blob-store.js';
import { CommitBudget } from '../blobstore/commit-budget.js';
import type { Logger } from '../observability/logger.js';
import type { Packer, SealedPack } from './packer.js';
import type { PackCatalog } from './ports.js';

export interface FlusherOptions {
  store: BlobStore;
  catalog: PackCatalog;
  packer: Packer;
  flushIntervalMs: number;
  logger: Logger;
  /** Called once a committed pack's staging file is removed. */
  onStagingRemoved?(path: string): void;
}

export interface FlushStatus {
  /** Bytes acknowledged to clients but not yet committed to the store. */
  pendingBytes: number;
  pendingPacks: number;
  /** When the oldest write not yet in the store was made, or null when nothing is pending. */
  oldestPendingAt: number | null;
  lastCommitAt: number | null;
  lastError: string | null;
  commitsLeftThisHour: number | null;
}

const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Moves sealed packs from staging into the store: put each one, then reference many in one commit
 * within the store's commit budget, then mark them committed and free their staging room. Seals the
 * open pack once its oldest byte is FLUSH_INTERVAL old.
 */
export class Flusher {
  private readonly queue: SealedPack[] = [];
  private draining: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly budget: CommitBudget;
  private readonly committedWaiters = new Map<number, (() => void)[]>();
  private lastCommitAt: number | null = null;
  private lastError: string | null = null;
  private retryDelay = 1000;
  private closed = false;
  private readonly stopping = new AbortController();
  /** Aborted to stop waiting for the commit budget (shutdown). */
  private readonly budgetWake = new AbortController();

  constructor(private readonly options: FlusherOptions) {
    this.budget = new CommitBudget(options.store.limits.commitsPerHour);
  }

  start(): void {
    const every = Math.min(1000, this.options.flushIntervalMs);
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  private tick(): void {
    const open = this.options.packer.openPack;
    if (open && Date.now() - open.createdAt >= this.options.flushIntervalMs) {
      void this.options.packer.sealOpen().catch(() => undefined);
    }
  }

  enqueue(pack: SealedPack): void {
    this.queue.push(pack);
    this.kick();
  }

  private kick(): void {
    if (this.draining || this.closed) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.queue.length > 0 && !this.closed) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      try {
        await this.commitBatch();
        this.retryDelay = 1000;
        this.lastError = null;
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.options.logger.error({ err: error }, 'committing packs to the store failed; retrying');
        // Closing cuts the wait short: shutdown must not sit out a back-off.
        await sleep(this.retryDelay, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_DELAY_MS);
        if (this.closed) return;
      }
    }
  }

  private async commitBatch(): Promise<void> {
    const { store, catalog, packer, logger } = this.options;
    const limit = store.limits.maxOperationsPerCommit ?? Number.POSITIVE_INFINITY;
    const batch = this.queue.slice(0, limit);
    for (const pack of batch) {
      if (pack.stored) continue;
      await store.put(pack.key, {
        size: pack.size,
        sha256: pack.sha256,
        path: pack.path,
        open: () => createReadStream(pack.path),
      });
      await catalog.markStored(pack.id);
      pack.stored = true;
    }
    const wait = this.budget.delay();
    if (wait > 0 && !this.budgetWake.signal.aborted) {
      logger.info({ waitMs: wait }, 'commit budget spent; waiting');
      await sleep(wait, undefined, { signal: this.budgetWake.signal }).catch(() => undefined);
    }
    await store.commit(`hubdrive: ${batch.length} pack${batch.length === 1 ? '' : 's'}`);
    this.budget.record();
    await catalog.markCommitted(batch.map((p) => p.id));
    this.queue.splice(0, batch.length);
    this.lastCommitAt = Date.now();
    for (const pack of batch) {
      await fs.rm(pack.path, { force: true });
      this.options.onStagingRemoved?.(pack.path);
      packer.release(pack.size);
      for (const wake of this.committedWaiters.get(pack.id) ?? []) wake();
      this.committedWaiters.delete(pack.id);
    }
    logger.debug({ packs: batch.length }, 'committed packs to the store');
  }

  /** Resolves once every given pack is committed to the store. */
  async waitCommitted(packIds: Iterable<number>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const id of new Set(packIds)) {
      // Register before looking, so that a commit landing in between still wakes us.
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const list = this.committedWaiters.get(id) ?? [];
      list.push(wake);
      this.committedWaiters.set(id, list);
      const record = await this.options.catalog.get(id);
      if (record && record.state !== 'committed') {
        waits.push(woken);
        continue;
      }
      // Already committed: take the waiter back out.
      const left = (this.committedWaiters.get(id) ?? []).filter((w) => w !== wake);
      if (left.length > 0) this.committedWaiters.set(id, left);
      else this.committedWaiters.delete(id);
    }
    if (waits.length === 0) return;
    await this.options.packer.sealOpen();
    await Promise.all(waits);
  }

  /**
   * Seals the open pack and commits everything sealed; resolves when staging is empty. `urgent`
   * (shutdown: a Space's disk is about to go) stops spending the commit budget evenly: the budget is
   * set below the Hub's own limit, and the rest is for this.
   */
  async flush(options: { urgent?: boolean } = {}): Promise<void> {
    if (options.urgent) this.budgetWake.abort();
    await this.options.packer.sealOpen();
    while (this.queue.length > 0 || this.draining) {
      this.kick();
      await this.draining;
    }
  }

  status(): FlushStatus {
    const unsealed = this.options.packer.unsealed;
    const times = this.queue.map((p) => p.createdAt);
    if (unsealed.oldest !== null) times.push(unsealed.oldest);
    return {
      pendingBytes: this.queue.reduce((sum, p) => sum + p.size, 0) + unsealed.bytes,
      pendingPacks: this.queue.length + unsealed.packs,
      oldestPendingAt: times.length > 0 ? Math.min(...times) : null,
      lastCommitAt: this.lastCommitAt,
      lastError: this.lastError,
      commitsLeftThisHour: this.budget.remaining(),
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.closed = true;
    this.stopping.abort();
    this.budgetWake.abort();
    await this.draining?.catch(() => undefined);
  }
}
