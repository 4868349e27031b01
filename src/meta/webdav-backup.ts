import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fsyncPath } from '../blobstore/fsync.js';
import type { WebdavBackupConfig } from '../config/config.js';
import { AsyncMutex } from '../content/async-mutex.js';
import type { Logger } from '../observability/logger.js';
import { XmlSyntaxError } from '../webdav/xml/xml-parse.js';
import { BackupError } from './backup-error.js';
import { drain, fileStream, localSize, readText, saveBody } from './webdav-bodies.js';
import {
  LISTING_PROPFIND,
  parseFolderListing,
  type DavEntry,
  type FolderListing,
} from './webdav-multistatus.js';
import { DavTransport } from './webdav-transport.js';

export { BackupError };

export interface BackupCopy {
  seq: number;
  name: string;
  size: number | null;
}

export interface BackupStatus {
  /** WEBDAV_URL without credentials. */
  url: string;
  lastUploadAt: number | null;
  /** The seq of the last copy uploaded. */
  lastSeq: number | null;
  /** Why the last failed operation failed; cleared by the next successful upload. Never a secret. */
  lastError: string | null;
  lastErrorAt: number | null;
}

export interface WebdavBackupOptions {
  config: WebdavBackupConfig;
  logger: Logger;
  /** Copies kept on the server; default 5. */
  keep?: number;
  /** How long one request may go without progress; default 60 s. */
  timeoutMs?: number;
}

const DEFAULT_KEEP = 5;
const DEFAULT_TIMEOUT_MS = 60_000;
/** A PROPFIND answer larger than this is refused rather than held in memory. */
const MAX_LISTING_BYTES = 32 * 1024 * 1024;
const COPY_NAME = /^hubdrive-snapshot-(\d{16})\.db\.gz$/;
/** Where an upload goes before its MOVE; one a crash left behind is removed by a later upload. */
const TEMP_NAME = /^hubdrive-snapshot-(\d{16})\.db\.gz\.[0-9a-f]{12}\.part$/;

/** The name of the copy of snapshot `seq`. Throws RangeError for a seq that is not a safe integer ≥ 0. */
export function copyName(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`a snapshot seq must be ≥ 0, got ${seq}`);
  return `hubdrive-snapshot-${String(seq).padStart(16, '0')}.db.gz`;
}

/**
 * The extra copy of each metadata snapshot, in the WebDAV folder of WEBDAV_URL. Only names of the
 * form hubdrive-snapshot-<seq>.db.gz (and the temporary names of its own uploads) are ever listed,
 * removed or written: the folder may hold other things.
 */
export class WebdavBackup {
  private readonly folder: string;
  private readonly transport: DavTransport;
  private readonly logger: Logger;
  private readonly keep: number;
  private readonly uploads = new AsyncMutex();
  private readonly state: BackupStatus;

  constructor(options: WebdavBackupOptions) {
    const keep = options.keep ?? DEFAULT_KEEP;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(keep) || keep < 1) {
      throw new RangeError(`keep must be a whole number ≥ 1, got ${keep}`);
    }
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);
    const { url, username, password } = options.config;
    this.folder = url.endsWith('/') ? url : `${url}/`;
    this.transport = new DavTransport({ username, password, idleTimeoutMs: timeoutMs });
    this.logger = options.logger;
    this.keep = keep;
    this.state = { url: this.folder, lastUploadAt: null, lastSeq: null, lastError: null, lastErrorAt: null };
  }

  /** Uploads the snapshot file as the copy for `seq`, then deletes copies beyond `keep`. Throws BackupError. */
  async upload(seq: number, file: string): Promise<void> {
    const name = copyName(seq);
    await this.uploads.run(() => this.tracked(() => this.uploadNow(seq, name, file)));
  }

  /** Copies on the server, newest (highest seq) first. Throws BackupError. */
  list(): Promise<BackupCopy[]> {
    return this.tracked(async () => copiesIn((await this.listing('1', 'listing the copies'))?.members ?? []));
  }

  /** Downloads one copy to a local file (written whole, or not at all). Throws BackupError. */
  download(copy: BackupCopy, toFile: string): Promise<void> {
    return this.tracked(() => this.downloadNow(copy, toFile));
  }

  status(): BackupStatus {
    return { ...this.state };
  }

  private async uploadNow(seq: number, name: string, file: string): Promise<void> {
    const what = `uploading snapshot ${seq}`;
    const size = await localSize(file, what);
    const before = await this.members(what);
    // MOVE with Overwrite: T would replace a folder of that name, and all it holds.
    if (before.some((m) => m.name === name && m.collection)) {
      throw new BackupError(`WEBDAV_URL holds a folder named ${name}; it is left alone, move it away`);
    }
    const temp = `${name}.${randomBytes(6).toString('hex')}.part`;
    try {
      await this.putInFolder(temp, file, size, what);
      await this.transport.send(
        {
          method: 'MOVE',
          url: this.urlOf(temp),
          what,
          headers: { Destination: this.urlOf(name), Overwrite: 'T' },
          accept: [201, 204],
        },
        drain,
      );
    } catch (error) {
      await this.removeQuietly(temp, what);
      throw error;
    }
    const copy = (await this.listing('0', what, this.urlOf(name)))?.self;
    if (!copy || copy.collection) {
      throw new BackupError(`the copy of snapshot ${seq} is not on WEBDAV_URL right after its upload`);
    }
    if (copy.size !== null && copy.size !== size) {
      throw new BackupError(
        `the copy of snapshot ${seq} on WEBDAV_URL has ${copy.size} bytes, expected ${size}`,
      );
    }
    Object.assign(this.state, { lastUploadAt: Date.now(), lastSeq: seq, lastError: null, lastErrorAt: null });
    const removed = await this.prune(before, seq);
    this.logger.info({ seq, bytes: size, removed }, 'snapshot copy uploaded to WEBDAV_URL');
  }

  /** What the folder holds; a missing folder is made (with its parents) and holds nothing. */
  private async members(what: string): Promise<DavEntry[]> {
    const listing = await this.listing('1', what);
    if (listing === null) {
      await this.makeFolder(this.folder, what);
      return [];
    }
    if (listing.self?.collection === false)
      throw new BackupError(`WEBDAV_URL names a file, not a folder (while ${what})`);
    return listing.members;
  }

  /** PUTs the file into the folder; when the folder went away since it was listed, makes it again, once. */
  private async putInFolder(name: string, file: string, size: number, what: string): Promise<void> {
    try {
      await this.put(name, file, size, what);
    } catch (error) {
      const folderGone = error instanceof BackupError && [404, 409].includes(error.remoteStatus ?? 0);
      if (!folderGone) throw error;
      await this.makeFolder(this.folder, what);
      await this.put(name, file, size, what);
    }
  }

  private put(name: string, file: string, size: number, what: string): Promise<void> {
    return this.transport.send(
      {
        method: 'PUT',
        url: this.urlOf(name),
        what,
        headers: { 'Content-Length': String(size), 'Content-Type': 'application/gzip' },
        body: (progress) => fileStream(file, progress),
        accept: [200, 201, 204],
      },
      drain,
    );
  }

  /** MKCOL, making missing parents first (a server answers 409 when the parent is missing). */
  private async makeFolder(url: string, what: string): Promise<void> {
    const first = await this.mkcol(url, what);
    if (first === 201 || first === 405) return;
    const parent = new URL('..', url).href;
    if (parent === url) {
      const message = `WEBDAV_URL answered ${first} to MKCOL at the top of the server while ${what}`;
      throw new BackupError(message, { remoteStatus: first });
    }
    await this.makeFolder(parent, what);
    const again = await this.mkcol(url, what);
    if (again !== 201 && again !== 405) {
      throw new BackupError(`WEBDAV_URL answered ${again} to MKCOL ${new URL(url).pathname} while ${what}`, {
        remoteStatus: again,
      });
    }
  }

  /** 201: made; 405: already there; 404 or 409: its parent is missing. */
  private mkcol(url: string, what: string): Promise<number> {
    return this.transport.send(
      { method: 'MKCOL', url, what, accept: [201, 404, 405, 409] },
      async (response) => {
        await drain(response);
        return response.status;
      },
    );
  }

  /** A resource (Depth 0) or the folder and its members (Depth 1); null when it does not exist. */
  private listing(depth: '0' | '1', what: string, url = this.folder): Promise<FolderListing | null> {
    return this.transport.send(
      {
        method: 'PROPFIND',
        url,
        what,
        headers: { Depth: depth, 'Content-Type': 'application/xml; charset=utf-8' },
        body: () => LISTING_PROPFIND,
        accept: [207, 404],
      },
      async (response, progress) => {
        if (response.status === 404) {
          await drain(response);
          return null;
        }
        const text = await readText(response, progress, MAX_LISTING_BYTES, what);
        try {
          return parseFolderListing(text, url);
        } catch (error) {
          if (!(error instanceof XmlSyntaxError)) throw error;
          throw new BackupError(
            `WEBDAV_URL answered PROPFIND with a body hubdrive cannot read (${error.message}) while ${what}`,
          );
        }
      },
    );
  }

  /** Removes the copies beyond `keep` (never the one just uploaded) and temporary files of earlier uploads. */
  private async prune(members: DavEntry[], seq: number): Promise<number> {
    const surplus = copiesIn(members)
      .filter((c) => c.seq !== seq)
      .slice(this.keep - 1)
      .map((c) => c.name);
    const leftovers = members
      .filter((m) => !m.collection && Number(TEMP_NAME.exec(m.name)?.[1] ?? Infinity) < seq)
      .map((m) => m.name);
    for (const name of [...surplus, ...leftovers]) await this.remove(name, `removing the old copy ${name}`);
    return surplus.length + leftovers.length;
  }

  private remove(name: string, what: string): Promise<void> {
    return this.transport.send(
      { method: 'DELETE', url: this.urlOf(name), what, accept: [200, 202, 204, 404] },
      drain,
    );
  }

  private async removeQuietly(name: string, what: string): Promise<void> {
    try {
      await this.remove(name, what);
    } catch {
      // The server is failing already; a later upload removes what is left.
    }
  }

  private async downloadNow(copy: BackupCopy, toFile: string): Promise<void> {
    if (!COPY_NAME.test(copy.name)) {
      throw new BackupError(`${JSON.stringify(copy.name)} is not the name of a snapshot copy`);
    }
    const what = `downloading ${copy.name}`;
    const temp = `${toFile}.${randomBytes(6).toString('hex')}.part`;
    try {
      const bytes = await this.transport.send(
        { method: 'GET', url: this.urlOf(copy.name), what, accept: [200] },
        (response, progress) => saveBody(response, temp, progress),
      );
      if (copy.size !== null && bytes !== copy.size) {
        throw new BackupError(`${copy.name} on WEBDAV_URL has ${bytes} bytes, its listing said ${copy.size}`);
      }
      await rename(temp, toFile);
      await fsyncPath(path.dirname(toFile));
      this.logger.info({ seq: copy.seq, bytes }, 'snapshot copy downloaded from WEBDAV_URL');
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Runs an operation; a failure becomes status().lastError and a BackupError. */
  private async tracked<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const failure =
        error instanceof BackupError
          ? error
          : new BackupError(`the WebDAV backup failed: ${(error as Error).message}`, { cause: error });
      Object.assign(this.state, { lastError: failure.message, lastErrorAt: Date.now() });
      this.logger.warn({ err: { message: failure.message }, url: this.folder }, 'WebDAV backup failed');
      throw failure;
    }
  }

  private urlOf(name: string): string {
    return new URL(encodeURIComponent(name), this.folder).href;
  }
}

function copiesIn(members: DavEntry[]): BackupCopy[] {
  const copies: BackupCopy[] = [];
  for (const member of members) {
    const match = member.collection ? null : COPY_NAME.exec(member.name);
    if (match) copies.push({ seq: Number(match[1]), name: member.name, size: member.size });
  }
  return copies.sort((a, b) => b.seq - a.seq);
}
