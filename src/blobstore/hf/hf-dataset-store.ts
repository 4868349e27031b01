import { HubApiError, listCommits, listFiles, pathsInfo } from '@huggingface/hub';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../observability/logger.js';
import type { BlobSource, BlobStat, BlobStore, ByteRange, CommitResult, StoreLimits } from '../blob-store.js';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  CommitRejectedError,
  RangeNotSatisfiableError,
} from '../errors.js';
import { assertValidKey, isValidKey } from '../keys.js';
import { branchHead, commitOperations, type CommitOperation } from './hub-commit.js';
import type { HubContext } from './hub-context.js';
import { apiUrl, authorization, hubError, HubResponseError } from './hub-context.js';
import { createHubFetch } from './hub-fetch.js';
import { bufferBody, fileBody, preuploadMode, readRange, uploadLfsObject } from './lfs-upload.js';
import { ResolveCache } from './resolve-cache.js';
import { backoff, DEFAULT_RETRY } from './retry-policy.js';
import { checkHubAccess, StoreInitError } from './startup-checks.js';

export interface HfDatasetStoreOptions {
  /** The Hub, e.g. https://huggingface.co (HF_ENDPOINT). */
  hubUrl: string;
  token: string;
  /** "namespace/name" (HF_DATASET_REPO). */
  repo: string;
  /** Create the repo, private, when it does not exist (HF_CREATE_REPO). */
  createRepo: boolean;
  commitsPerHour: number;
  logger: Logger;
  limits?: Partial<StoreLimits>;
}

/** Inline (regular) files the Hub will take in a commit; anything bigger goes through LFS. */
const MAX_INLINE = 1024 * 1024;

/**
 * A Hugging Face dataset repo as a blob store. A put uploads the object to the repo's LFS storage at
 * once; a commit references many of them in one Hub commit (the Hub allows about 128 commits an
 * hour). Reads resolve a file once to its storage URL and then read ranges from there.
 */
export class HfDatasetStore implements BlobStore {
  readonly kind = 'hf';
  readonly limits: StoreLimits;
  // Each ranged read waits on the network; several at once keep the line busy.
  readonly readAhead = 6;
  private staged = new Map<string, CommitOperation>();
  private head = '';
  private readonly resolver: ResolveCache;
  private commitChain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly context: HubContext,
    options: HfDatasetStoreOptions,
    private readonly quotaBytes: number | null,
  ) {
    this.limits = {
      // The Hub's hard maximum for one file.
      maxObjectSize: 500 * 1000 ** 3,
      maxEntriesPerFolder: 10_000,
      commitsPerHour: options.commitsPerHour,
      maxOperationsPerCommit: 100,
      ...options.limits,
    };
    this.resolver = new ResolveCache(context);
  }

  /** Checks the token and the repo, then opens the store. Throws StoreInitError. */
  static async open(options: HfDatasetStoreOptions): Promise<HfDatasetStore> {
    const logger = options.logger;
    const context: HubContext = {
      hubUrl: options.hubUrl.replace(/\/+$/, ''),
      repo: options.repo,
      token: options.token,
      revision: 'main',
      fetch: createHubFetch({ logger }),
      fetchOnce: (input, init) => fetch(input, init),
      logger,
    };
    const access = await checkHubAccess(context, { createRepo: options.createRepo });
    const store = new HfDatasetStore(context, options, access.quotaBytes);
    try {
      store.head = await branchHead(context);
    } catch (error) {
      throw new StoreInitError(`the branch ${context.revision} of ${context.repo} could not be read`, {
        cause: error,
      });
    }
    return store;
  }

  async put(key: string, source: BlobSource): Promise<void> {
    assertValidKey(key);
    if (source.size > this.limits.maxObjectSize) {
      throw new BlobTooLargeError(`object ${key} is ${source.size} bytes, over the Hub's limit`);
    }
    const body = source.path
      ? fileBody(source.path, (await fs.stat(source.path)).size)
      : bufferBody(await readAll(source.open()));
    if (body.size !== source.size)
      throw new Error(`put ${key}: the source has ${body.size} bytes, not ${source.size}`);
    const sample = await readRange(body, 0, Math.min(512, body.size));
    const mode =
      source.size <= MAX_INLINE
        ? await preuploadMode(this.context, { path: key, size: source.size, sample })
        : 'lfs';
    if (mode === 'regular') {
      this.staged.set(key, { kind: 'file', path: key, content: await readRange(body, 0, body.size) });
      return;
    }
    await uploadLfsObject(this.context, { oid: source.sha256, size: source.size, body });
    this.staged.set(key, { kind: 'lfs', path: key, oid: source.sha256, size: source.size });
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    const response = await this.fetchRange(key, range);
    if (!response.body) return Readable.from([]);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  /** Reads a range straight into `target`; a connection that breaks mid-body is read again. */
  async readInto(key: string, position: number, target: Buffer): Promise<void> {
    assertValidKey(key);
    if (target.length === 0) return;
    const range = { start: position, end: position + target.length - 1 };
    for (let attempt = 0; ; attempt++) {
      const response = await this.fetchRange(key, range);
      try {
        let done = 0;
        for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
          if (done + piece.length > target.length)
            throw new Error(`the Hub sent more than ${target.length} bytes`);
          target.set(piece, done);
          done += piece.length;
        }
        if (done !== target.length) throw new Error(`the Hub sent ${done} of ${target.length} bytes`);
        return;
      } catch (error) {
        await response.body?.cancel().catch(() => undefined);
        if (attempt + 1 >= DEFAULT_RETRY.attempts) throw error;
        this.context.logger.warn({ key, attempt, err: error }, 'a ranged read broke off; reading it again');
        await sleep(backoff(DEFAULT_RETRY, attempt, null));
      }
    }
  }

  private async fetchRange(key: string, range: ByteRange | undefined): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const { url, size } = await this.resolver.target(key);
      const valid =
        range === undefined ||
        (Number.isSafeInteger(range.start) &&
          Number.isSafeInteger(range.end) &&
          range.start >= 0 &&
          range.start <= range.end &&
          (Number.isNaN(size) || range.end < size));
      if (!valid) {
        throw new RangeNotSatisfiableError(
          `range ${range!.start}-${range!.end} is outside ${key} (${size} bytes)`,
          size,
        );
      }
      const response = await this.context.fetch(url, {
        headers: this.resolver.readHeaders(url, range),
      });
      if (range ? response.status === 206 : response.ok) return response;
      await response.body?.cancel().catch(() => undefined);
      if (response.status === 416) {
        const total = Number(response.headers.get('content-range')?.split('/')[1] ?? NaN);
        throw new RangeNotSatisfiableError(`range ${range?.start}-${range?.end} is outside ${key}`, total);
      }
      // A storage URL that stopped working (expired, revoked): resolve the file again, once.
      if ((response.status === 403 || response.status === 404 || response.status === 410) && attempt === 0) {
        this.resolver.forget(key);
        continue;
      }
      if (response.status === 404) throw new BlobNotFoundError(key);
      throw await hubError(response, `reading ${key}`);
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    assertValidKey(key);
    const entries = await pathsInfo({
      repo: { type: 'dataset', name: this.context.repo },
      paths: [key],
      revision: this.context.revision,
      accessToken: this.context.token,
      hubUrl: this.context.hubUrl,
      fetch: this.context.fetch,
    });
    const entry = entries.find((e) => e.path === key && e.type === 'file');
    return entry ? { key, size: entry.size } : null;
  }

  async *list(prefix: string): AsyncIterable<BlobStat> {
    const slash = prefix.lastIndexOf('/');
    const folder = slash >= 0 ? prefix.slice(0, slash) : '';
    try {
      for await (const entry of listFiles({
        repo: { type: 'dataset', name: this.context.repo },
        path: folder || undefined,
        recursive: true,
        revision: this.context.revision,
        accessToken: this.context.token,
        hubUrl: this.context.hubUrl,
        fetch: this.context.fetch,
      })) {
        // The repo's own files (.gitattributes, a README) are not objects of this store.
        if (entry.type === 'file' && entry.path.startsWith(prefix) && isValidKey(entry.path)) {
          yield { key: entry.path, size: entry.size };
        }
      }
    } catch (error) {
      // A folder that does not exist holds nothing.
      if (error instanceof HubApiError && error.statusCode === 404) return;
      throw error;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) assertValidKey(key);
    for (const key of keys) this.staged.set(key, { kind: 'delete', path: key });
  }

  commit(message: string): Promise<CommitResult> {
    const run = this.commitChain.then(() => this.commitStaged(message));
    this.commitChain = run.catch(() => undefined);
    return run;
  }

  private async commitStaged(message: string): Promise<CommitResult> {
    const operations = await this.withoutAbsentDeletes([...this.staged.values()]);
    const result: CommitResult = {
      id: null,
      puts: operations.filter((o) => o.kind !== 'delete').length,
      deletes: operations.filter((o) => o.kind === 'delete').length,
    };
    if (operations.length === 0) return result;
    try {
      this.head = await commitOperations(this.context, { summary: message, parent: this.head, operations });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      // Staying staged would fail the same way forever: hand the puts back to their owner.
      this.unstage(operations);
      throw new CommitRejectedError(error.message);
    }
    // Only what this commit carried leaves the stage; puts made meanwhile wait for the next one.
    this.unstage(operations);
    for (const op of operations) this.resolver.forget(op.path);
    result.id = this.head;
    return result;
  }

  private unstage(operations: readonly CommitOperation[]): void {
    for (const op of operations) if (this.staged.get(op.path) === op) this.staged.delete(op.path);
  }

  /** The Hub refuses to delete a path it does not hold; deleting nothing is no change at all. */
  private async withoutAbsentDeletes(operations: CommitOperation[]): Promise<CommitOperation[]> {
    const deletes = operations.filter((op) => op.kind === 'delete').map((op) => op.path);
    if (deletes.length === 0) return operations;
    const present = new Set<string>();
    for (let i = 0; i < deletes.length; i += 100) {
      const entries = await pathsInfo({
        repo: { type: 'dataset', name: this.context.repo },
        paths: deletes.slice(i, i + 100),
        revision: this.context.revision,
        accessToken: this.context.token,
        hubUrl: this.context.hubUrl,
        fetch: this.context.fetch,
      });
      for (const entry of entries) present.add(entry.path);
    }
    for (const op of operations) {
      if (op.kind === 'delete' && !present.has(op.path) && this.staged.get(op.path) === op)
        this.staged.delete(op.path);
    }
    return operations.filter((op) => op.kind !== 'delete' || present.has(op.path));
  }

  /**
   * Squashes the branch's history into one commit with the same files (the Hub's super-squash), so
   * that deleted packs stop counting against the repo's storage. Irreversible; the Hub updates its
   * figure within about 36 hours. It is a commit on the Hub: it waits for any commit of ours.
   */
  reclaimHistory(): Promise<void> {
    const run = this.commitChain.then(() => this.superSquash());
    this.commitChain = run.catch(() => undefined);
    return run;
  }

  private async superSquash(): Promise<void> {
    const response = await this.context.fetch(
      apiUrl(this.context, `super-squash/${encodeURIComponent(this.context.revision)}`),
      {
        method: 'POST',
        headers: { ...authorization(this.context), 'Content-Type': 'application/json' },
        body: JSON.stringify({ message: 'hubdrive: reclaim the space of deleted packs (super-squash)' }),
      },
    );
    if (!response.ok) throw await hubError(response, 'super-squash');
    await response.body?.cancel().catch(() => undefined);
    // The next commit goes on top of the squashed one.
    this.head = await branchHead(this.context);
  }

  async recentCommits(sinceMs: number): Promise<number[]> {
    const times: number[] = [];
    for await (const commit of listCommits({
      repo: { type: 'dataset', name: this.context.repo },
      revision: this.context.revision,
      accessToken: this.context.token,
      hubUrl: this.context.hubUrl,
      fetch: this.context.fetch,
    })) {
      const time = commit.date.getTime();
      if (!(time >= sinceMs)) break;
      times.push(time);
    }
    return times;
  }

  /** Bytes the repo holds on the Hub (history included), when the Hub says. */
  async usage(): Promise<{ usedBytes: number | null; quotaBytes: number | null }> {
    // The client's datasetInfo has no field for this; the Hub answers it on the repo's API page.
    const response = await this.context.fetch(
      `${this.context.hubUrl}/api/datasets/${this.context.repo}?expand=usedStorage`,
      {
        headers: { Authorization: `Bearer ${this.context.token}` },
      },
    );
    if (!response.ok) {
      await response.body?.cancel();
      return { usedBytes: null, quotaBytes: this.quotaBytes };
    }
    const info = (await response.json()) as { usedStorage?: number };
    return {
      usedBytes: typeof info.usedStorage === 'number' ? info.usedStorage : null,
      quotaBytes: this.quotaBytes,
    };
  }

  async close(): Promise<void> {
    await this.commitChain;
    this.staged.clear();
  }
}

/** A 4xx that repeating the same commit cannot cure (auth and rate answers can be outwaited). */
function isRefusal(error: unknown): error is HubResponseError {
  if (!(error instanceof HubResponseError)) return false;
  const status = error.httpStatus;
  return status >= 400 && status < 500 && ![401, 403, 408, 409, 412, 429].includes(status);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

export { HubResponseError };
