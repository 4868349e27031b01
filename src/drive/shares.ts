import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  UnauthorizedError,
} from '../errors/domain-error.js';
import type { Database } from '../meta/database.js';
import type { NodeRow, SharesTable } from '../meta/schema.js';
import { hashSecret } from './app-passwords.js';
import type { Entry } from './entries.js';
import type { FileService, OpenFile } from './files.js';
import type { ListOptions } from './listing.js';
import { livePaths } from './live-paths.js';
import { formatPath, parsePath } from './names.js';
import { locate, nodeById } from './node-queries.js';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import { ShareGrants, type Grant } from './share-grants.js';
import type { TreeService } from './tree.js';
import { toUser, type User } from './users.js';

export type { Grant } from './share-grants.js';

/** What an owner may ask for when sharing a file or folder. */
export interface NewShare {
  path: string;
  /** Visitors must give it before they see anything but the share's name. */
  password?: string | null;
  /** Milliseconds since the epoch; in the future. */
  expiresAt?: number | null;
  maxDownloads?: number | null;
}

export type ShareState = 'active' | 'expired' | 'exhausted' | 'trashed';

/** A share as its owner sees it: never the token, never a hash. */
export interface Share {
  id: number;
  nodeId: number;
  name: string;
  /** Where the shared node is now; null while it (or a folder above it) is in the trash. */
  path: string | null;
  kind: 'dir' | 'file';
  createdAt: number;
  expiresAt: number | null;
  downloads: number;
  maxDownloads: number | null;
  hasPassword: boolean;
  state: ShareState;
}

export interface CreatedShare {
  share: Share;
  /** The link's secret; the server keeps only its SHA-256. */
  token: string;
}

/** What anyone with the link sees. */
export interface SharedInfo {
  name: string;
  kind: 'dir' | 'file';
  /** The file's size; null for a folder. */
  size: number | null;
  modifiedAt: number;
  needsPassword: boolean;
  /** No password is needed, or this visitor gave it. */
  unlocked: boolean;
  expiresAt: number | null;
  downloadsLeft: number | null;
}

/** An entry inside a shared folder; `path` is relative to the shared folder. */
export interface SharedEntry {
  name: string;
  path: string;
  kind: 'dir' | 'file';
  size: number;
  modifiedAt: number;
  etag: string | null;
}

export interface SharedPage {
  path: string;
  entries: SharedEntry[];
  nextCursor: string | null;
  /** Entries in the folder, on every page. */
  total: number;
}

/** What a visitor's cookies hold for this share. */
export interface Visitor {
  unlock?: string;
  download?: string;
}

/** A file of a share, ready to send. */
export interface SharedFile {
  file: OpenFile;
  /** The visitor continues a download already counted (seeking in a video, resuming). */
  continued: boolean;
  /**
   * Counts one download against the limit (410 once it is reached) and returns the grant that lets
   * this visitor continue it without counting again.
   */
  count(): Promise<Grant>;
}

export interface ShareServiceOptions {
  db: Database;
  tree: TreeService;
  files: FileService;
}

export const MAX_SHARES_PER_USER = 1000;
export const MIN_SHARE_PASSWORD_LENGTH = 4;
export const MAX_DOWNLOADS = 1_000_000_000;
/** How long a password, once given, opens the share in that browser. */
export const UNLOCK_TTL_MS = 12 * 3600_000;
/** How long a counted download may go on (ranges, seeking) without counting again. */
export const DOWNLOAD_TTL_MS = 6 * 3600_000;
// 24 random bytes: 192 bits, 32 URL-safe characters.
const TOKEN_BYTES = 24;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** The rate-limit key of a share link: its hash, so no limiter holds a usable token. */
export function shareKey(token: string): string {
  return hashSecret(token);
}

type ShareRow = Selectable<SharesTable>;

interface Resolved {
  share: ShareRow;
  owner: User;
  node: NodeRow;
  exhausted: boolean;
}

const notFound = () => new NotFoundError('this share link does not exist or no longer works');

function checkPassword(password: string): void {
  if (password.length < MIN_SHARE_PASSWORD_LENGTH) {
    throw new BadRequestError(
      `a share password needs at least ${MIN_SHARE_PASSWORD_LENGTH} characters; leave it out for none`,
      'WEAK_PASSWORD',
    );
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new BadRequestError(
      `a password can have at most ${MAX_PASSWORD_LENGTH} characters`,
      'BAD_PASSWORD',
    );
  }
}

function stateOf(row: ShareRow, path: string | null, now: number): ShareState {
  if (path === null) return 'trashed';
  if (row.expires_at !== null && row.expires_at <= now) return 'expired';
  if (row.max_downloads !== null && row.downloads >= row.max_downloads) return 'exhausted';
  return 'active';
}

function toSharedEntry(entry: Entry): SharedEntry {
  return {
    name: entry.name,
    path: entry.path,
    kind: entry.kind,
    size: entry.size,
    modifiedAt: entry.modifiedAt,
    etag: entry.etag,
  };
}

/** Share links: owners create, list and revoke them; anyone with a link reads what it shares. */
export class ShareService {
  private readonly grants = new ShareGrants();

  constructor(private readonly options: ShareServiceOptions) {}

  async create(user: User, input: NewShare): Promise<CreatedShare> {
    const { db } = this.options;
    const now = Date.now();
    if (input.expiresAt != null && input.expiresAt <= now) {
      throw new BadRequestError('the expiry time has already passed', 'BAD_EXPIRY');
    }
    if (input.maxDownloads != null && (input.maxDownloads < 1 || input.maxDownloads > MAX_DOWNLOADS)) {
      throw new BadRequestError(`a download limit is between 1 and ${MAX_DOWNLOADS}`, 'BAD_LIMIT');
    }
    if (input.password != null) checkPassword(input.password);
    const passwordHash = input.password != null ? await hashPassword(input.password) : null;
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    return db.transaction().execute(async (trx) => {
      const found = await locate(trx, user, input.path);
      if (found.names.length === 0) {
        throw new BadRequestError('the root folder cannot be shared; share a folder in it', 'ROOT_PATH');
      }
      const { count } = await trx
        .selectFrom('shares')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
      if (count >= MAX_SHARES_PER_USER) {
        throw new ConflictError(
          `a user can have at most ${MAX_SHARES_PER_USER} share links; revoke one first`,
          'TOO_MANY_SHARES',
        );
      }
      const row = await trx
        .insertInto('shares')
        .values({
          user_id: user.id,
          node_id: found.node.id,
          token_hash: hashSecret(token),
          password_hash: passwordHash,
          expires_at: input.expiresAt ?? null,
          max_downloads: input.maxDownloads ?? null,
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { share: this.toShare(row, found.node, found.path, now), token };
    });
  }

  /** The user's own shares, newest first (admins too see only their own here). */
  async list(user: User): Promise<Share[]> {
    const { db } = this.options;
    const rows = await db
      .selectFrom('shares')
      .innerJoin('nodes', 'nodes.id', 'shares.node_id')
      .selectAll('shares')
      .select(['nodes.name', 'nodes.kind'])
      .where('shares.user_id', '=', user.id)
      .orderBy('shares.id', 'desc')
      .execute();
    const paths = await livePaths(db, [...new Set(rows.map((row) => row.node_id))]);
    const now = Date.now();
    return rows.map((row) => this.toShare(row, row, paths.get(row.node_id) ?? null, now));
  }

  /** Deletes one of the user's shares; its link stops working at once. */
  async revoke(user: User, id: number): Promise<void> {
    const result = await this.options.db
      .deleteFrom('shares')
      .where('id', '=', id)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('no such share');
  }

  /** What the link shows before (and after) its password is given. */
  async info(token: string, visitor: Visitor): Promise<SharedInfo> {
    const resolved = await this.resolve(token);
    this.refuseExhausted(resolved);
    return this.infoOf(resolved, this.unlocked(resolved, visitor.unlock));
  }

  /**
   * Checks a share's password. Returns what the share shows, and a grant for the visitor's cookie
   * (null when the share has no password). A wrong password is 403.
   */
  async unlock(token: string, password: string): Promise<{ info: SharedInfo; grant: Grant | null }> {
    const resolved = await this.resolve(token);
    this.refuseExhausted(resolved);
    const hash = resolved.share.password_hash;
    if (hash === null) return { info: this.infoOf(resolved, true), grant: null };
    if (!(await verifyPassword(hash, password))) {
      throw new ForbiddenError('wrong password for this share link', 'WRONG_PASSWORD');
    }
    const grant = this.grants.issue('unlock', this.unlockSubject(resolved.share), UNLOCK_TTL_MS);
    return { info: this.infoOf(resolved, true), grant };
  }

  /** A page of a folder inside a shared folder; `path` is relative to the shared folder. */
  async listFolder(
    token: string,
    visitor: Visitor,
    path: string,
    options: ListOptions = {},
  ): Promise<SharedPage> {
    const resolved = await this.resolveUnlocked(token, visitor);
    this.refuseExhausted(resolved);
    const page = await this.options.tree.list(this.viewOf(resolved), path, options);
    return {
      path: formatPath(parsePath(path)),
      entries: page.entries.map(toSharedEntry),
      nextCursor: page.nextCursor,
      total: page.total,
    };
  }

  /**
   * Opens the shared file, or a file inside the shared folder (`path` relative to it). Once the
   * download limit is reached, only a visitor continuing a counted download of this file gets it.
   */
  async openFile(token: string, visitor: Visitor, path: string): Promise<SharedFile> {
    const resolved = await this.resolveUnlocked(token, visitor);
    const file = await this.options.files.open(this.viewOf(resolved), path);
    const subject = this.downloadSubject(resolved.share, file.entry.id);
    const continued = this.grants.verify('download', subject, visitor.download);
    if (!continued) this.refuseExhausted(resolved);
    return {
      file,
      continued,
      count: async () => {
        await this.countDownload(resolved.share.id);
        return this.grants.issue('download', subject, DOWNLOAD_TTL_MS);
      },
    };
  }

  /** One more download, unless the limit is reached: one statement, so parallel ones cannot pass it. */
  private async countDownload(shareId: number): Promise<void> {
    const result = await this.options.db
      .updateTable('shares')
      .set((eb) => ({ downloads: eb('downloads', '+', 1) }))
      .where('id', '=', shareId)
      .where((eb) => eb.or([eb('max_downloads', 'is', null), eb('downloads', '<', eb.ref('max_downloads'))]))
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw usedUp();
  }

  /**
   * The share behind a token, if its owner is enabled, it has not expired, and the shared node and
   * every folder above it are live (a share of something in the trash sleeps until it is restored).
   */
  private async resolve(token: string): Promise<Resolved> {
    if (!TOKEN_PATTERN.test(token)) throw notFound();
    const { db } = this.options;
    const share = await db
      .selectFrom('shares')
      .selectAll()
      .where('token_hash', '=', hashSecret(token))
      .executeTakeFirst();
    if (!share) throw notFound();
    const owner = await db.selectFrom('users').selectAll().where('id', '=', share.user_id).executeTakeFirst();
    const node = await nodeById(db, share.node_id);
    if (!owner || owner.disabled !== 0 || !node) throw notFound();
    const paths = await livePaths(db, [node.id]);
    const state = stateOf(share, paths.get(node.id) ?? null, Date.now());
    if (state === 'trashed') throw notFound();
    if (state === 'expired') throw new GoneError('this share link has expired', 'SHARE_EXPIRED');
    return { share, owner: toUser(owner), node, exhausted: state === 'exhausted' };
  }

  private async resolveUnlocked(token: string, visitor: Visitor): Promise<Resolved> {
    const resolved = await this.resolve(token);
    if (!this.unlocked(resolved, visitor.unlock)) {
      throw new UnauthorizedError('this share link needs its password', 'SHARE_LOCKED');
    }
    return resolved;
  }

  private refuseExhausted(resolved: Resolved): void {
    if (resolved.exhausted) throw usedUp();
  }

  private unlocked(resolved: Resolved, grant: string | undefined): boolean {
    if (resolved.share.password_hash === null) return true;
    return this.grants.verify('unlock', this.unlockSubject(resolved.share), grant);
  }

  // The token's hash ties a grant to this very link; the password hash, to the password it proved.
  private unlockSubject(share: ShareRow): string {
    return `${share.id}:${share.token_hash}:${share.password_hash ?? ''}`;
  }

  private downloadSubject(share: ShareRow, fileId: number): string {
    return `${share.id}:${share.token_hash}:${fileId}`;
  }

  /**
   * The owner as seen through the link: the same user with the shared node as the root, so every
   * path a visitor gives is walked from the shared node down and can never reach above it, and the
   * paths that come back are relative to it.
   */
  private viewOf(resolved: Resolved): User {
    return { ...resolved.owner, rootId: resolved.node.id };
  }

  private infoOf(resolved: Resolved, unlocked: boolean): SharedInfo {
    const { share, node } = resolved;
    return {
      name: node.name,
      kind: node.kind,
      size: node.kind === 'file' ? node.size : null,
      modifiedAt: node.modified_at,
      needsPassword: share.password_hash !== null,
      unlocked,
      expiresAt: share.expires_at,
      downloadsLeft: share.max_downloads === null ? null : Math.max(0, share.max_downloads - share.downloads),
    };
  }

  private toShare(
    row: ShareRow,
    node: { name: string; kind: 'dir' | 'file' },
    path: string | null,
    now: number,
  ): Share {
    return {
      id: row.id,
      nodeId: row.node_id,
      name: node.name,
      path,
      kind: node.kind,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      downloads: row.downloads,
      maxDownloads: row.max_downloads,
      hasPassword: row.password_hash !== null,
      state: stateOf(row, path, now),
    };
  }
}

function usedUp(): GoneError {
  return new GoneError('this share link has reached its download limit', 'SHARE_USED_UP');
}
