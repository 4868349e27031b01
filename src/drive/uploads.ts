import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ContentEngine } from '../content/content-engine.js';
import type { IngestPart, IngestResult } from '../content/ingest.js';
import { contentHash, Manifest } from '../content/manifest.js';
import { commitFile } from './files.js';
import { formatPath, parsePath } from './names.js';
import { assertFits, quotaOf } from './quota.js';
import type { TreeService } from './tree.js';
import type { User } from './users.js';
import type { Db } from './node-queries.js';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
} from '../errors/domain-error.js';
import type { Database } from '../meta/database.js';
import type { UploadRow } from '../meta/schema.js';
import {
  appendPart,
  deleteUpload,
  expiredUploads,
  findUpload,
  insertUpload,
  markCompleted,
  partsOf,
  releaseParts,
  touchUpload,
  unfinishedUploads,
  countUnfinished,
} from './upload-repository.js';
import { checkUploadTarget, uploadTarget, type UploadMetadata } from './upload-target.js';

/** The largest upload accepted: 500 GiB. */
export const MAX_UPLOAD_BYTES = 500 * 1024 ** 3;
/** An unfinished upload is forgotten, and its chunks released, after this long without activity. */
export const UPLOAD_TTL_MS = 7 * 24 * 3600 * 1000;
/** A finished upload answers "done" this long, for a client that lost the last answer and asks again. */
const FINISHED_KEPT_MS = 24 * 3600 * 1000;
/**
 * How often a request's complete chunks are recorded while it runs (it ends with a record too):
 * what a crash (kill -9) may lose. Each record is an fsync of the staging pack and one small SQLite
 * transaction, a few ms; 32 MiB is about 1% of that time on a fast link and a second or less of
 * resending, and 5 s bounds the loss on a slow one.
 */
const DEFAULT_CHECKPOINTS = { everyBytes: 32 * 1024 * 1024, everyMs: 5_000 };
const EXPIRED_BATCH = 100;
/** Unfinished uploads a user may hold at once; each is a row journalled into the store. */
export const MAX_UNFINISHED = 1000;
/** The Upload-Metadata a client may attach, in bytes of JSON. */
const MAX_METADATA_BYTES = 4096;
const ID_PATTERN = /^[0-9a-f]{32}$/;

export interface UploadServiceOptions {
  db: Database;
  engine: ContentEngine;
  /** Makes the parent folders of a finished upload. */
  tree: TreeService;
  versionsKeep: number;
  /** Overrides of DEFAULT_CHECKPOINTS. */
  checkpoints?: Partial<typeof DEFAULT_CHECKPOINTS>;
}

/** An upload as the API shows it. */
export interface UploadInfo {
  id: string;
  path: string;
  /** Bytes the server holds durably: where the client goes on. */
  offset: number;
  length: number;
  overwrite: boolean;
  metadata: UploadMetadata;
  createdAt: number;
  /** The last activity. */
  updatedAt: number;
  expiresAt: number;
  completed: boolean;
}

export interface NewUpload {
  id: string;
  length: number;
  metadata: UploadMetadata;
}

export interface UploadWriteOptions {
  /**
   * Asked when the body ends: did the request arrive whole? Then its bytes after the last chunk
   * boundary make a chunk; if not, they are dropped and the client sends them again.
   */
  arrivedWhole(): boolean;
}

/** A fresh upload id: 128 random bits, the last segment of the upload's URL. */
export function newUploadId(): string {
  return randomBytes(16).toString('hex');
}

export function isUploadId(id: string): boolean {
  return ID_PATTERN.test(id);
}

function toInfo(row: UploadRow): UploadInfo {
  return {
    id: row.id,
    path: row.path,
    offset: row.offset,
    length: row.length,
    overwrite: row.overwrite === 1,
    metadata: JSON.parse(row.metadata) as UploadMetadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    completed: row.completed_at !== null,
  };
}

/** Parts handed over by one request that are not recorded yet (held back, see `save`). */
function joinParts(a: IngestPart, b: IngestPart): IngestPart {
  return {
    size: a.size + b.size,
    manifest: Buffer.concat([a.manifest, b.manifest]),
    newChunks: [...a.newChunks, ...b.newChunks],
    last: b.last,
  };
}

/** What one write request has recorded so far. */
interface WriteState {
  offset: number;
  /** A part that would complete the upload before the body ended: it completes with the last one. */
  held: IngestPart | null;
  /** The finished file's chunk list, once the upload completed. */
  finished: Buffer | null;
}

/**
 * Resumable uploads (the tus protocol's server side, without the protocol): an upload is made with
 * its target and length, receives its bytes straight into the content engine, and keeps the chunks
 * it holds durably, a prefix of the file, so that it goes on after an interruption or a restart.
 * Complete, it becomes a file like any other write: same bookkeeping, quota, versions.
 */
export class UploadService {
  private readonly checkpoints: typeof DEFAULT_CHECKPOINTS;
  private readonly writing = new Set<Promise<unknown>>();

  constructor(private readonly options: UploadServiceOptions) {
    this.checkpoints = { ...DEFAULT_CHECKPOINTS, ...options.checkpoints };
  }

  async create(user: User, upload: NewUpload): Promise<UploadInfo> {
    const { db } = this.options;
    if (!isUploadId(upload.id)) throw new Error('an upload id is 32 hex digits');
    if (!Number.isSafeInteger(upload.length) || upload.length < 0) {
      throw new BadRequestError('Upload-Length must be a whole number of bytes', 'INVALID_LENGTH');
    }
    if (upload.length > MAX_UPLOAD_BYTES) {
      throw new PayloadTooLargeError('this file is larger than an upload may be', 'UPLOAD_TOO_LARGE');
    }
    const metadata = JSON.stringify(upload.metadata);
    if (Buffer.byteLength(metadata) > MAX_METADATA_BYTES) {
      throw new BadRequestError(
        `Upload-Metadata may hold at most ${MAX_METADATA_BYTES} bytes`,
        'INVALID_UPLOAD_METADATA',
      );
    }
    const target = uploadTarget(upload.metadata);
    const now = Date.now();
    const row = await db.transaction().execute(async (trx) => {
      await checkUploadTarget(trx, user, target);
      // What counts against the quota includes the user's other unfinished uploads.
      assertFits(await quotaOf(trx, user.id), upload.length);
      if ((await countUnfinished(trx, user.id, now)) >= MAX_UNFINISHED) {
        throw new ConflictError(
          `at most ${MAX_UNFINISHED} uploads may be unfinished at once; finish or cancel one first`,
          'TOO_MANY_UPLOADS',
        );
      }
      const row: UploadRow = {
        id: upload.id,
        user_id: user.id,
        path: target.path,
        overwrite: target.overwrite ? 1 : 0,
        length: upload.length,
        offset: 0,
        parts: 0,
        metadata,
        created_at: now,
        updated_at: now,
        expires_at: now + UPLOAD_TTL_MS,
        completed_at: null,
      };
      await insertUpload(trx, row);
      return row;
    });
    // An empty file has no byte to wait for: it is written now, or the upload is not made.
    if (upload.length === 0) {
      const empty: IngestPart = { size: 0, manifest: Buffer.alloc(0), newChunks: [], last: true };
      try {
        await this.complete(user, row, { offset: 0, held: null, finished: null }, empty);
        // Like any write: in WRITE_MODE=durable, answered once its metadata is in the store.
        await this.options.engine.settleContent(Buffer.alloc(0));
      } catch (error) {
        await db.transaction().execute((trx) => deleteUpload(trx, upload.id));
        throw error;
      }
      return this.get(user, upload.id);
    }
    return toInfo(row);
  }

  /** The user's upload, finished or not; NotFoundError for anyone else's. */
  async get(user: User, id: string): Promise<UploadInfo> {
    return toInfo(await this.owned(this.options.db, user, id));
  }

  /** The user's unfinished uploads (not expired), oldest first. */
  async list(user: User): Promise<UploadInfo[]> {
    return (await unfinishedUploads(this.options.db, user.id, Date.now())).map(toInfo);
  }

  /**
   * Receives bytes from `offset` (where the upload is), chunking them into the content engine and
   * recording complete chunks as they become durable. Returns the new offset: the bytes held
   * durably, which may be less than `offset` plus what arrived (see UploadWriteOptions). The bytes
   * that complete the upload make the file, and in WRITE_MODE=durable this waits for its commit.
   */
  write(
    user: User,
    id: string,
    offset: number,
    source: Readable,
    options: UploadWriteOptions,
  ): Promise<number> {
    const run = this.receive(user, id, offset, source, options);
    this.writing.add(run);
    void run.then(
      () => this.writing.delete(run),
      () => this.writing.delete(run),
    );
    return run;
  }

  private async receive(
    user: User,
    id: string,
    offset: number,
    source: Readable,
    options: UploadWriteOptions,
  ): Promise<number> {
    const { engine } = this.options;
    const upload = await this.owned(this.options.db, user, id);
    if (upload.completed_at !== null) {
      // Already a file (the answer that said so was lost): nothing more belongs to it.
      for await (const _ of source);
      return upload.length;
    }
    if (offset !== upload.offset) {
      throw new ConflictError(`the upload is at ${upload.offset} bytes, not ${offset}`, 'UPLOAD_OFFSET');
    }
    // A PATCH under way keeps its upload from expiring before its first checkpoint renews it.
    const now = Date.now();
    await touchUpload(this.options.db, upload.id, { now, expiresAt: now + UPLOAD_TTL_MS });
    const state: WriteState = { offset, held: null, finished: null };
    await engine.ingestResumable(source, {
      ...this.checkpoints,
      keepTail: () => options.arrivedWhole(),
      save: (part) => this.save(user, upload, state, part),
    });
    if (state.finished) await engine.settleContent(state.finished);
    return state.offset;
  }

  /** Records a part of a write: as progress, or, once it makes the whole file, as the file. */
  private async save(user: User, upload: UploadRow, state: WriteState, handed: IngestPart): Promise<void> {
    const part = state.held ? joinParts(state.held, handed) : handed;
    state.held = null;
    const end = state.offset + part.size;
    if (end > upload.length) throw new Error('an upload received more bytes than its length');
    if (end === upload.length) {
      // Never recorded as progress: an upload at its full length would look finished to a client.
      if (!part.last) state.held = part;
      else await this.complete(user, upload, state, part);
      return;
    }
    const now = Date.now();
    const times = { now, expiresAt: now + UPLOAD_TTL_MS };
    if (part.size === 0) {
      await touchUpload(this.options.db, upload.id, times);
      return;
    }
    await this.options.db
      .transaction()
      .execute((trx) => appendPart(trx, upload.id, state.offset, part, times));
    state.offset = end;
  }

  /**
   * Makes the file from the recorded parts and the last one, in one transaction with the upload's
   * end (it gives back the parts' references). On failure (the path became a folder, the quota is
   * full) nothing changes: the upload stays where it was, for the client to try again.
   */
  private async complete(user: User, upload: UploadRow, state: WriteState, last: IngestPart): Promise<void> {
    const { db, tree, versionsKeep } = this.options;
    const folders = parsePath(upload.path).slice(0, -1);
    // Like a folder drop: the folders on the way are made first.
    if (folders.length > 0) await tree.mkdir(user, formatPath(folders), { parents: true });
    const finished = await db.transaction().execute(async (trx) => {
      const current = await findUpload(trx, upload.id);
      if (!current || current.completed_at !== null || current.offset !== state.offset) {
        throw new ConflictError('the upload was cancelled or changed meanwhile', 'UPLOAD_CHANGED');
      }
      const parts = await partsOf(trx, upload.id);
      const manifest = Buffer.concat([...parts, last.manifest]);
      if (Manifest.decode(manifest).size !== upload.length) {
        throw new Error(`upload ${upload.id}: its chunks do not add up to its length`);
      }
      const content: IngestResult = {
        size: upload.length,
        contentHash: contentHash(manifest),
        manifest,
        newChunks: last.newChunks,
      };
      // Finished first, so that its reservation no longer counts when the file is charged.
      const now = Date.now();
      await markCompleted(trx, upload.id, upload.length, { now, expiresAt: now + FINISHED_KEPT_MS });
      await commitFile(trx, user, upload.path, content, {
        overwrite: upload.overwrite === 1,
        versionsKeep,
      });
      // The file holds its own references now; the parts give theirs back.
      await releaseParts(trx, upload.id, parts);
      return manifest;
    });
    state.offset = upload.length;
    state.finished = finished;
  }

  /** Cancels an upload (or forgets a finished one) and releases the chunks it held. */
  async remove(user: User, id: string): Promise<void> {
    await this.options.db.transaction().execute(async (trx) => {
      await this.owned(trx, user, id);
      await deleteUpload(trx, id);
    });
  }

  /** Forgets the uploads whose time ran out, releasing their chunks; returns how many. */
  async removeExpired(now = Date.now()): Promise<number> {
    const { db } = this.options;
    let removed = 0;
    for (;;) {
      const ids = await expiredUploads(db, now, EXPIRED_BATCH);
      for (const id of ids) {
        await db.transaction().execute(async (trx) => {
          const row = await findUpload(trx, id);
          // Active again meanwhile: it stays.
          if (row && row.expires_at <= now) {
            await deleteUpload(trx, id);
            removed++;
          }
        });
      }
      if (ids.length < EXPIRED_BATCH) return removed;
    }
  }

  /** Resolves once no write is under way (shutdown waits for cut-off requests to record what came). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.writing]);
  }

  private async owned(db: Db, user: User, id: string): Promise<UploadRow> {
    const row = isUploadId(id) ? await findUpload(db, id) : undefined;
    if (!row || row.user_id !== user.id) throw new NotFoundError('no such upload');
    return row;
  }
}
