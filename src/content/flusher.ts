import { promises as fs } from 'node:fs';
import { createReadStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobStore, CommitResult } from '../blobstore/blob-store.js';
import { CommitBudget } from '../blobstore/commit-budget.js';
import { CommitRejectedError } from '../blobstore/errors.js';
import type { Logger } from '../observability/logger.js';
import { AsyncMutex } from './async-mutex.js';
import type { Packer, SealedPack } from './packer.js';
import type { CommitRider, PackCatalog, RiderStage } from './ports.js';

export interface FlusherOptions {
  store: BlobStore;
  catalog: PackCatalog;
  packer: Packer;
  flushIntervalMs: number;
  logger: Logger;
  /** Called once a committed pack's staging file is removed. */
  onStagingRemoved?(path: string): void;
  /**
   * Of these keys, the ones a pack still uses (a pack with the same bytes has the same key): their
   * deletions are dropped. Asked while no put can start, just before the deletions are staged.
   */
  keysInUse?(keys: readonly string[]): Promise<ReadonlySet<string>>;
  /** What rides each commit beside the packs (the metadata journal and snapshots). */
  rider?: CommitRider;
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
/** Packs uploaded to the store at once. */
const PUT_CONCURRENCY = 2;
/** Operations of each commit kept for the rider (a journal segment and a snapshot). */
const RIDER_ROOM = 2;

/**
 * Moves sealed packs from staging into the store. Each pack is put as soon as it is sealed (a few at
 * once); commits then reference many of them. When the store's commits are scarce (the Hub's ~128
 * an hour), a commit waits until its oldest pack is FLUSH_INTERVAL old, collecting everything put
 * meanwhile, and stays within the hourly budget; a flush or a durable write asks for it at once.
 * After a commit the packs are marked committed and their staging room is freed. The open pack is
 * sealed once its oldest byte is FLUSH_INTERVAL old.
 */
/** Objects to delete from the store with a coming commit, and who waits for that commit. */
interface PendingDeletion {
  /** Its keys not yet carried by a commit. */
  left: number;
  since: number;
  /** The rider's mark when it was asked for: the commit must carry the metadata up to it. */
  mark: number;
  done(): void;
  fail(error: Error): void;
}

/** One object to delete, and the request it belongs to. */
interface DeletionKey {
  key: string;
  of: PendingDeletion;
}

export class Flusher {
  private readonly queue: SealedPack[] = [];
  /** Keys to delete, oldest first; a commit may carry part of a request's keys. */
  private readonly deletions: DeletionKey[] = [];
  /** Commits the store refused for good; a put that began before one cannot count as staged. */
  private rejections = 0;
  /** A store commit is under way: a put finishing now would ride it beyond its operation limit. */
  private committing = false;
  private readonly puts = new Map<number, Promise<void>>();
  private draining: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly budget: CommitBudget;
  private readonly committedWaiters = new Map<number, (() => void)[]>();
  private lastCommitAt: number | null = null;
  private lastError: string | null = null;
  private putRetryDelay = 1000;
  private commitRetryDelay = 1000;
  /**
   * Packs up to this id are committed as soon as they are in the store (a flush, or a durable write,
   * waits for them); later ones are paced again.
   */
  private hurryThrough = 0;
  /** Deletions asked for up to this time are hurried likewise (a flush waits for them). */
  private hurryDeletionsUntil = 0;
  private closed = false;
  private readonly stopping = new AbortController();
  /** Aborted to stop waiting for the commit budget (shutdown). */
  private readonly budgetWake = new AbortController();
  private wakeDrain: (() => void) | null = null;
  /** Held by each commit, and by work that must not overlap one (a history rewrite). */
  private readonly commitLock = new AsyncMutex();
  /** When the rider's oldest waiting change was made, as last asked; null: nothing waits. */
  private riderSince: number | null = null;
  /** Flushes under way: what the rider holds leaves at once. */
  private flushing = 0;
  /** Shutdown flushes under way: the rider's bookkeeping leaves too. */
  private flushingAll = 0;
  /** Durable writes waiting for the rider to carry their metadata (a mark each). */
  private readonly metadataWaiters: { mark: number; done(): void; fail(error: Error): void }[] = [];

  constructor(private readonly options: FlusherOptions) {
    this.budget = new CommitBudget(options.store.limits.commitsPerHour);
  }

  /** Counts the store's commits of the last hour (a restart must not spend a fresh budget). */
  async seedBudget(): Promise<void> {
    const { store, logger } = this.options;
    if (store.limits.commitsPerHour === null || !store.recentCommits) return;
    try {
      this.budget.seed(await store.recentCommits(Date.now() - 3_600_000));
    } catch (error) {
      logger.warn({ err: error }, "could not read the store's recent commits; the commit budget starts full");
    }
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
    void this.refreshRider();
  }

  /** Asks the rider what waits; anything does: a commit is planned for it. */
  private async refreshRider(): Promise<void> {
    const { rider, logger } = this.options;
    if (!rider || this.closed) return;
    try {
      this.riderSince = await rider.waitingSince(this.flushingAll > 0);
    } catch (error) {
      logger.error({ err: error }, 'could not read the metadata journal');
      return;
    }
    if (this.riderSince !== null) this.kick();
  }

  enqueue(pack: SealedPack): void {
    this.queue.push(pack);
    this.startPuts();
    this.kick();
  }

  private kick(): void {
    this.wakeDrain?.();
    if (this.draining || this.closed) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.hasWork() && !this.closed) this.kick();
    });
  }

  /**
   * Starts uploads of queued packs, oldest first, up to PUT_CONCURRENCY at once. Only the next
   * commit's packs: a store's commit carries everything staged, and may carry only so many.
   */
  private startPuts(): void {
    if (this.closed || this.committing) return;
    for (const pack of this.queue.slice(0, this.packWindow())) {
      if (this.puts.size >= PUT_CONCURRENCY) return;
      if (pack.stored || this.puts.has(pack.id)) continue;
      const put = this.put(pack).then(
        () => {
          this.puts.delete(pack.id);
          this.putRetryDelay = 1000;
          this.startPuts();
          this.kick();
        },
        async (error: unknown) => {
          this.lastError = error instanceof Error ? error.message : String(error);
          this.options.logger.error(
            { err: error, pack: pack.id },
            'putting a pack into the store failed; retrying',
          );
          await sleep(this.putRetryDelay, undefined, { signal: this.stopping.signal }).catch(() => undefined);
          this.putRetryDelay = Math.min(this.putRetryDelay * 2, MAX_RETRY_DELAY_MS);
          this.puts.delete(pack.id);
          this.startPuts();
        },
      );
      this.puts.set(pack.id, put);
    }
  }

  private async put(pack: SealedPack): Promise<void> {
    const rejections = this.rejections;
    await this.options.store.put(pack.key, {
      size: pack.size,
      sha256: pack.sha256,
      path: pack.path,
      open: () => createReadStream(pack.path),
    });
    await this.options.catalog.markStored(pack.id);
    // A refused commit meanwhile may have dropped this put from the stage: put it again.
    if (rejections === this.rejections) pack.stored = true;
  }

  /** Waits until `ms` pass or something changes (a put finished, a flush was asked for). */
  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeDrain = () => {
        this.wakeDrain = null;
        done();
      };
    });
  }

  /** Operations one commit may carry for packs and deletions: the store's limit less the rider's room. */
  private commitLimit(): number {
    const limit = this.options.store.limits.maxOperationsPerCommit ?? Number.POSITIVE_INFINITY;
    return this.options.rider ? Math.max(1, limit - RIDER_ROOM) : limit;
  }

  /**
   * Packs the next commit takes: up to the commit's limit less the room kept for waiting deletions
   * (at most half, so that neither starves the other), and never fewer than are already staged or
   * being put (a commit carries everything staged).
   */
  private packWindow(): number {
    const limit = this.commitLimit();
    if (!Number.isFinite(limit)) return limit;
    let staged = 0;
    for (let i = 0; i < Math.min(this.queue.length, limit); i++) {
      const pack = this.queue[i]!;
      if (pack.stored || this.puts.has(pack.id)) staged = i + 1;
    }
    return Math.max(limit - Math.min(this.deletions.length, Math.floor(limit / 2)), staged);
  }

  private async drain(): Promise<void> {
    const { store } = this.options;
    const limit = this.commitLimit();
    while (this.hasWork() && !this.closed) {
      const batch = this.queue.slice(0, this.packWindow());
      // Deletions take the room the packs leave in the commit.
      const deletions = this.deletions.slice(0, limit - batch.length);
      if (!batch.every((p) => p.stored)) {
        this.startPuts();
        await this.nap(1000);
        continue;
      }
      // Scarce commits: gather for a while. Free ones (a local folder): commit at once.
      const hurry =
        (batch.length > 0 && batch[0]!.id <= this.hurryThrough) ||
        deletions.some((d) => d.of.since <= this.hurryDeletionsUntil) ||
        (this.riderSince !== null && (this.flushing > 0 || this.metadataWaiters.length > 0));
      // Metadata alone is gathered for a while even where commits are free: a segment per change
      // would litter the store.
      const scarce = store.limits.commitsPerHour !== null || (batch.length === 0 && deletions.length === 0);
      const paced = scarce && !hurry && !this.budgetWake.signal.aborted;
      const oldest = Math.min(
        ...batch.map((p) => p.createdAt),
        ...deletions.map((d) => d.of.since),
        ...(this.riderSince !== null ? [this.riderSince] : []),
      );
      const due = oldest + this.options.flushIntervalMs;
      const full = batch.length + deletions.length >= limit;
      if (paced && !full && Date.now() < due) {
        await this.nap(due - Date.now());
        continue;
      }
      try {
        const carried = await this.commitBatch(batch, deletions);
        this.commitRetryDelay = 1000;
        this.lastError = null;
        // Nothing could go (deletions wait for metadata held back by a pack): wait for a change.
        if (!carried) await this.nap(1000);
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        this.options.logger.error({ err: error }, 'committing packs to the store failed; retrying');
        // The store dropped what it staged for this commit: put the packs again (from staging).
        if (error instanceof CommitRejectedError) {
          this.rejections++;
          this.options.rider?.abandon();
          for (const pack of this.queue) pack.stored = false;
        }
        // Closing cuts the wait short: shutdown must not sit out a back-off.
        await sleep(this.commitRetryDelay, undefined, { signal: this.stopping.signal }).catch(
          () => undefined,
        );
        this.commitRetryDelay = Math.min(this.commitRetryDelay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }

  private hasWork(): boolean {
    return this.queue.length > 0 || this.deletions.length > 0 || this.riderSince !== null;
  }

  /** Commits the batch, the deletions the rider's metadata covers, and the rider's objects; false if none. */
  private async commitBatch(batch: SealedPack[], deletions: DeletionKey[]): Promise<boolean> {
    const { store, catalog, packer, logger, rider } = this.options;
    const storeLimit = store.limits.maxOperationsPerCommit ?? Number.POSITIVE_INFINITY;
    let outcome: { result: CommitResult; stage: RiderStage | null; taken: DeletionKey[] };
    // From here no put starts: one staged while the commit waits would ride it unaccounted for.
    this.committing = true;
    try {
      const wait = this.budget.delay();
      if (wait > 0 && !this.budgetWake.signal.aborted) {
        logger.info({ waitMs: wait }, 'commit budget spent; waiting');
        await sleep(wait, undefined, { signal: this.budgetWake.signal }).catch(() => undefined);
      }
      outcome = await this.commitLock.run(async () => {
        let stage: RiderStage | null = null;
        let taken = deletions;
        if (rider) {
          stage = await rider.stage(
            batch.map((p) => p.id),
            storeLimit - batch.length - deletions.length,
          );
          // A pack is deleted only once the store's metadata no longer points at it.
          const covers = stage.covers;
          const first = deletions.findIndex((d) => d.of.mark > covers);
          if (first >= 0) taken = deletions.slice(0, first);
        }
        let keys = taken.map((d) => d.key);
        // Asked once no put can start: a pack sealed after this is put after the commit, not before.
        if (keys.length > 0 && this.options.keysInUse) {
          const inUse = await this.options.keysInUse(keys);
          keys = keys.filter((key) => !inUse.has(key));
        }
        const what = [
          ...(batch.length > 0 ? [`${batch.length} pack${batch.length === 1 ? '' : 's'}`] : []),
          ...(keys.length > 0 ? [`${keys.length} deletion${keys.length === 1 ? '' : 's'}`] : []),
          ...(stage?.operations ? ['metadata'] : []),
        ];
        // Staged only now, so that the commit carries exactly this batch and these deletions.
        if (keys.length > 0) await store.delete(keys);
        return { result: await store.commit(`hubdrive: ${what.join(', ')}`), stage, taken };
      });
    } finally {
      this.committing = false;
    }
    const { result, stage, taken } = outcome;
    if (result.puts + result.deletes > 0) this.budget.record();
    const carried = batch.length + taken.length + (stage?.operations ?? 0);
    if (stage) {
      await stage.committed().catch((error: unknown) => {
        // The metadata is in the store; only the local record of it failed: it goes again next time.
        logger.error({ err: error }, 'could not record the metadata shipped');
      });
      this.wakeMetadataWaiters(stage.covers);
    }
    this.deletions.splice(0, taken.length);
    for (const { of } of taken) if (--of.left === 0) of.done();
    await catalog.markCommitted(batch.map((p) => p.id));
    this.queue.splice(0, batch.length);
    this.lastCommitAt = Date.now();
    for (const pack of batch) {
      // The packs are committed whatever happens to their staging files: release and wake regardless.
      try {
        await fs.rm(pack.path, { force: true });
        this.options.onStagingRemoved?.(pack.path);
      } catch (error) {
        logger.warn({ err: error, path: pack.path }, 'could not remove a committed pack from staging');
      }
      packer.release(pack.size);
      for (const wake of this.committedWaiters.get(pack.id) ?? []) wake();
      this.committedWaiters.delete(pack.id);
    }
    await this.refreshRider();
    logger.debug({ packs: batch.length }, 'committed packs to the store');
    return carried > 0;
  }

  /**
   * Deletes objects from the store with a coming commit, paced like packs (on the Hub a deletion is
   * a commit too) and within the commit's operation limit; resolves once a commit carried them.
   */
  async deleteObjects(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    // Taken now: the metadata that stopped pointing at these objects is logged by now.
    const mark = this.options.rider ? await this.options.rider.mark() : 0;
    return new Promise<void>((done, fail) => {
      if (this.closed) return fail(new Error('the flusher is closed'));
      const request: PendingDeletion = { left: keys.length, since: Date.now(), mark, done, fail };
      for (const key of keys) this.deletions.push({ key, of: request });
      this.kick();
    });
  }

  /**
   * Resolves once the metadata logged so far is in the store (a durable write's answer waits for
   * it); at once without a rider.
   */
  async waitMetadata(): Promise<void> {
    const { rider } = this.options;
    if (!rider) return;
    const mark = await rider.mark();
    if ((await rider.shippedThrough()) >= mark) return;
    const shipped = new Promise<void>((done, fail) => {
      if (this.closed) return fail(new Error('the flusher is closed'));
      this.metadataWaiters.push({ mark, done, fail });
    });
    // Metadata of other writes may hold it back, waiting for their packs: those go now too.
    this.hurryThrough = Math.max(this.hurryThrough, this.options.packer.newestPackId);
    await this.options.packer.sealOpen();
    await this.refreshRider();
    await shipped;
  }

  private wakeMetadataWaiters(covered: number): void {
    for (let i = this.metadataWaiters.length - 1; i >= 0; i--) {
      const waiter = this.metadataWaiters[i]!;
      if (waiter.mark > covered) continue;
      this.metadataWaiters.splice(i, 1);
      waiter.done();
    }
  }

  /** Runs `work` while no commit is under way, and holds the next one back until it is done. */
  betweenCommits<T>(work: () => Promise<T>): Promise<T> {
    return this.commitLock.run(work);
  }

  /** A pack removed before it was sealed whole (a failed write): nobody need wait for its commit. */
  packGone(id: number): void {
    for (const wake of this.committedWaiters.get(id) ?? []) wake();
    this.committedWaiters.delete(id);
  }

  /**
   * Shutdown: commits go as soon as they can from now on, without gathering or waiting for the
   * budget (it is set below the Hub's own limit, and the rest is for this).
   */
  stopPacing(): void {
    this.budgetWake.abort();
    this.kick();
  }

  /** Resolves once every given pack is committed to the store. */
  async waitCommitted(packIds: Iterable<number>): Promise<void> {
    const waits: Promise<void>[] = [];
    const ids = [...new Set(packIds)];
    for (const id of ids) {
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
    this.hurryThrough = Math.max(this.hurryThrough, ...ids);
    await this.options.packer.sealOpen();
    this.kick();
    await Promise.all(waits);
  }

  /**
   * Seals the open pack and commits everything sealed; resolves when staging is empty. `urgent`
   * (shutdown: a Space's disk is about to go) stops spending the commit budget evenly: the budget is
   * set below the Hub's own limit, and the rest is for this.
   */
  async flush(options: { urgent?: boolean } = {}): Promise<void> {
    if (options.urgent) this.budgetWake.abort();
    this.flushing++;
    if (options.urgent) this.flushingAll++;
    try {
      await this.options.packer.sealOpen();
      await this.refreshRider();
      while ((this.hasWork() || this.draining) && !this.closed) {
        this.hurryDeletionsUntil = Date.now();
        this.hurryThrough = Math.max(this.hurryThrough, this.queue.at(-1)?.id ?? 0);
        this.kick();
        await this.draining;
        await this.refreshRider();
      }
    } finally {
      this.flushing--;
      if (options.urgent) this.flushingAll--;
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
    this.wakeDrain?.();
    await this.draining?.catch(() => undefined);
    await Promise.allSettled(this.puts.values());
    const requests = new Set(this.deletions.splice(0).map((d) => d.of));
    for (const request of requests) request.fail(new Error('the flusher closed first'));
    for (const waiter of this.metadataWaiters.splice(0)) waiter.fail(new Error('the flusher closed first'));
  }
}
