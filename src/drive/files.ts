import type { Readable } from 'node:stream';
import type { ByteRange } from '../blobstore/blob-store.js';
import type { ContentEngine } from '../content/content-engine.js';
import type { IngestResult } from '../content/ingest.js';
import type { Manifest } from '../content/manifest.js';
import type { Lease } from '../content/reader.js';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
} from '../errors/domain-error.js';
import { attachContent } from './content-refs.js';
import type { Database } from '../meta/database.js';
import type { NodeRow } from '../meta/schema.js';
import { etagFor, tagsMatch, toEntry, type Entry } from './entries.js';
import { child, locate, locateParent, type Db } from './node-queries.js';
import { assertFits, chargeQuota, quotaOf } from './quota.js';
import { contentHashOf } from './tree.js';
import type { User } from './users.js';
import { addVersion } from './versions.js';

export interface WriteOptions {
  /** Replace an existing file with a new version (default true). */
  overwrite?: boolean;
  /** The body's size, when the client declared it: checked against the quota before reading. */
  expectedSize?: number;
  /** Only write if the current content has one of these ETags ("*": if the file exists). */
  ifMatch?: '*' | string[];
  /** Only write if the current content has none of these ETags ("*": if the file does not exist). */
  ifNoneMatch?: '*' | string[];
}

export interface WriteResult {
  entry: Entry;
  created: boolean;
}

export interface OpenFile {
  entry: Entry;
  size: number;
  etag: string;
  versionId: number;
  /** Streams the file, or an inclusive range of it that lies within the file. */
  stream(range?: ByteRange): Readable;
  /** The same bytes lent from the engine's buffers, for sockets; release each lease once written. */
  leases(range?: ByteRange): AsyncGenerator<Lease>;
}

export interface FileServiceOptions {
  db: Database;
  engine: ContentEngine;
  versionsKeep: number;
}

const MANIFEST_CACHE = 64;

/** File content: writing new versions from a stream, and opening a version to read. */
export class FileService {
  private readonly manifests = new Map<number, Manifest>();

  constructor(private readonly options: FileServiceOptions) {}

  async write(user: User, path: string, body: Readable, options: WriteOptions = {}): Promise<WriteResult> {
    const { db, engine, versionsKeep } = this.options;
    // Everything that can be checked before reading the body is, so a refused upload costs nothing.
    const target = await locateParent(db, user, path);
    await checkTarget(db, path, target.parent.node.id, target.name, options);
    // Checked again, exactly, when the version is committed.
    const quota = await quotaOf(db, user.id);
    if (options.expectedSize !== undefined) assertFits(quota, options.expectedSize);
    const content = await engine.ingest(body, { onProgress: (bytes) => assertFits(quota, bytes) });
    // Content is fsync'd in staging; now make it visible in one transaction.
    const result = await db
      .transaction()
      .execute((trx) => commitFile(trx, user, path, content, { ...options, versionsKeep }));
    await engine.settle(content);
    return result;
  }

  async open(user: User, path: string, versionId?: number): Promise<OpenFile> {
    const { db, engine } = this.options;
    const { node, path: full } = await locate(db, user, path);
    if (node.kind !== 'file') throw new BadRequestError(`${full} is a folder`, 'IS_A_FOLDER');
    const version = await db
      .selectFrom('versions')
      .innerJoin('manifests', 'manifests.id', 'versions.manifest_id')
      .select([
        'versions.id',
        'versions.size',
        'versions.created_at',
        'manifests.id as manifest_id',
        'manifests.content_hash',
      ])
      .where('versions.node_id', '=', node.id)
      .where('versions.id', '=', versionId ?? node.version_id ?? -1)
      .executeTakeFirst();
    if (!version)
      throw new NotFoundError(versionId ? 'no such version of this file' : `${full} has no content`);
    const manifest = await this.manifest(version.manifest_id);
    const entry = toEntry(
      { ...node, size: version.size, modified_at: versionId ? version.created_at : node.modified_at },
      full,
      version.content_hash,
    );
    return {
      entry,
      size: version.size,
      etag: entry.etag!,
      versionId: version.id,
      stream: (range) => engine.read(manifest, range),
      leases: (range) => engine.leases(manifest, range),
    };
  }

  /** Manifests are immutable, so decoded ones are kept for repeated range reads (video seeking). */
  private async manifest(id: number): Promise<Manifest> {
    const cached = this.manifests.get(id);
    if (cached) {
      this.manifests.delete(id);
      this.manifests.set(id, cached);
      return cached;
    }
    const row = await this.options.db
      .selectFrom('manifests')
      .select('chunks')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const manifest = this.options.engine.decodeManifest(row.chunks);
    this.manifests.set(id, manifest);
    if (this.manifests.size > MANIFEST_CACHE) this.manifests.delete(this.manifests.keys().next().value!);
    return manifest;
  }
}

export interface CommitOptions extends Pick<WriteOptions, 'overwrite' | 'ifMatch' | 'ifNoneMatch'> {
  /** Older versions kept (VERSIONS_KEEP). */
  versionsKeep: number;
}

/**
 * Makes ingested content the file at `path`, a new file or a new version of the one there, and
 * charges the quota, in the caller's transaction (the bookkeeping of every write, resumable ones
 * too). The caller settles the content with the engine once the transaction commits.
 */
export async function commitFile(
  trx: Db,
  user: User,
  path: string,
  content: IngestResult,
  options: CommitOptions,
): Promise<WriteResult> {
  const { parent, name, path: full } = await locateParent(trx, user, path);
  const existing = await checkTarget(trx, full, parent.node.id, name, options);
  const now = Date.now();
  const manifestId = await attachContent(trx, content, now);
  const node =
    existing ??
    (await trx
      .insertInto('nodes')
      .values({
        owner_id: user.id,
        parent_id: parent.node.id,
        name,
        kind: 'file',
        size: 0,
        created_at: now,
        modified_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow());
  const versionId = await addVersion(trx, {
    node,
    manifestId,
    size: content.size,
    keep: options.versionsKeep,
    now,
  });
  // After the versions beyond VERSIONS_KEEP were given back, so that an overwrite near the quota
  // is judged on what the user will really hold.
  await chargeQuota(trx, user.id, content.size);
  const row = { ...node, version_id: versionId, size: content.size, modified_at: now };
  return { entry: toEntry(row, full, content.contentHash), created: !existing };
}

/** Checks the write target and preconditions; returns the existing file, if any. */
export async function checkTarget(
  db: Db,
  path: string,
  parentId: number,
  name: string,
  options: Pick<WriteOptions, 'overwrite' | 'ifMatch' | 'ifNoneMatch'>,
): Promise<NodeRow | undefined> {
  const existing = await child(db, parentId, name);
  if (existing?.kind === 'dir') throw new ConflictError(`${path} is a folder`, 'IS_A_FOLDER');
  if (existing && options.overwrite === false) throw new ConflictError(`${path} already exists`, 'EXISTS');
  if (options.ifMatch !== undefined || options.ifNoneMatch !== undefined) {
    const etag = existing ? etagFor(await contentHashOf(db, existing)) : null;
    if (options.ifMatch !== undefined && !tagsMatch(options.ifMatch, etag)) {
      throw new PreconditionFailedError(`${path} does not match If-Match`);
    }
    if (options.ifNoneMatch !== undefined && tagsMatch(options.ifNoneMatch, etag)) {
      throw new PreconditionFailedError(`${path} matches If-None-Match`);
    }
  }
  return existing;
}
