import { createHash, randomBytes } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { BadRequestError, ConflictError, NotFoundError } from '../errors/domain-error.js';
import type { Database } from '../meta/database.js';
import type { AppPasswordsTable } from '../meta/schema.js';
import { formatPath, parsePath } from './names.js';
import { locate } from './node-queries.js';
import type { User } from './users.js';

/** An app password as its owner may see it: never the secret, which is shown once at creation. */
export interface AppPassword {
  id: number;
  label: string;
  readOnly: boolean;
  /** The folder the client is confined to; "/" for the whole drive. */
  root: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface NewAppPassword {
  label: string;
  readOnly?: boolean;
  root?: string;
}

export interface CreatedAppPassword {
  appPassword: AppPassword;
  /** The password itself; the server keeps only its hash. */
  secret: string;
}

/** A secret that matched: whose it is, and what it may do. */
export interface AppPasswordMatch {
  id: number;
  userId: number;
  username: string;
  readOnly: boolean;
  root: string;
}

/** What a cached sign-in rests on, so a cache can ask whether it still holds. */
export type CredentialRef =
  { kind: 'password'; userId: number; passwordHash: string } | { kind: 'app'; id: number };

export const MAX_APP_PASSWORDS_PER_USER = 100;
const MAX_LABEL_LENGTH = 100;
// 30 characters of base32: 150 random bits, typeable by hand in groups of five.
const SECRET_GROUPS = 6;
const GROUP_LENGTH = 5;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function generateSecret(): string {
  const bytes = randomBytes(SECRET_GROUPS * GROUP_LENGTH);
  const chars = [...bytes].map((byte) => BASE32[byte & 31]!);
  const groups: string[] = [];
  for (let i = 0; i < chars.length; i += GROUP_LENGTH) groups.push(chars.slice(i, i + GROUP_LENGTH).join(''));
  return groups.join('-');
}

/** High-entropy secrets need no slow hash: SHA-256 is enough, and keeps every WebDAV request cheap. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toAppPassword(row: Selectable<AppPasswordsTable>): AppPassword {
  return {
    id: row.id,
    label: row.label,
    readOnly: row.read_only !== 0,
    root: row.root,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

function checkLabel(raw: string): string {
  const label = raw.normalize('NFC').trim();
  if (label.length === 0) throw new BadRequestError('an app password needs a label', 'BAD_LABEL');
  if (label.length > MAX_LABEL_LENGTH) {
    throw new BadRequestError(`a label can have at most ${MAX_LABEL_LENGTH} characters`, 'BAD_LABEL');
  }
  return label;
}

/** Passwords for WebDAV clients: created (secret shown once), listed, revoked, and checked. */
export class AppPasswordService {
  constructor(private readonly db: Database) {}

  async create(user: User, input: NewAppPassword): Promise<CreatedAppPassword> {
    const label = checkLabel(input.label);
    const root = formatPath(parsePath(input.root ?? '/'));
    const folder = await locate(this.db, user, root);
    if (folder.node.kind !== 'dir') throw new BadRequestError(`${root} is not a folder`, 'NOT_A_FOLDER');
    const secret = generateSecret();
    const row = await this.db.transaction().execute(async (trx) => {
      const { count } = await trx
        .selectFrom('app_passwords')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
      if (count >= MAX_APP_PASSWORDS_PER_USER) {
        throw new ConflictError(
          `a user can have at most ${MAX_APP_PASSWORDS_PER_USER} app passwords; revoke one first`,
          'TOO_MANY_APP_PASSWORDS',
        );
      }
      return trx
        .insertInto('app_passwords')
        .values({
          user_id: user.id,
          label,
          secret_hash: hashSecret(secret),
          read_only: input.readOnly ? 1 : 0,
          root,
          created_at: Date.now(),
          last_used_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { appPassword: toAppPassword(row), secret };
  }

  async list(user: User): Promise<AppPassword[]> {
    const rows = await this.db
      .selectFrom('app_passwords')
      .selectAll()
      .where('user_id', '=', user.id)
      .orderBy('id')
      .execute();
    return rows.map(toAppPassword);
  }

  /** Deletes one of the user's app passwords; a client still using it is refused from then on. */
  async revoke(user: User, id: number): Promise<void> {
    const result = await this.db
      .deleteFrom('app_passwords')
      .where('id', '=', id)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('no such app password');
  }

  /** The app password with this secret, if it belongs to the enabled user with this username. */
  async match(username: string, secret: string): Promise<AppPasswordMatch | null> {
    const row = await this.db
      .selectFrom('app_passwords')
      .innerJoin('users', 'users.id', 'app_passwords.user_id')
      .select([
        'app_passwords.id',
        'app_passwords.read_only',
        'app_passwords.root',
        'users.id as user_id',
        'users.username',
      ])
      .where('app_passwords.secret_hash', '=', hashSecret(secret))
      .where(sql<string>`users.username collate nocase`, '=', username.normalize('NFC'))
      .where('users.disabled', '=', 0)
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: row.id,
      userId: row.user_id,
      username: row.username,
      readOnly: row.read_only !== 0,
      root: row.root,
    };
  }

  async touch(id: number, now = Date.now()): Promise<void> {
    await this.db.updateTable('app_passwords').set({ last_used_at: now }).where('id', '=', id).execute();
  }

  /** The user's current password hash, read before a password check so a cache can tell a change. */
  async passwordRef(username: string): Promise<CredentialRef | null> {
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'password_hash'])
      .where(sql<string>`username collate nocase`, '=', username.normalize('NFC'))
      .executeTakeFirst();
    return row ? { kind: 'password', userId: row.id, passwordHash: row.password_hash } : null;
  }

  /**
   * Whether a sign-in verified earlier still holds: the user is enabled and, for a password, it is
   * unchanged; for an app password, it is not revoked. One indexed lookup.
   */
  async stillValid(ref: CredentialRef): Promise<boolean> {
    if (ref.kind === 'password') {
      const row = await this.db
        .selectFrom('users')
        .select(['password_hash', 'disabled'])
        .where('id', '=', ref.userId)
        .executeTakeFirst();
      return row !== undefined && row.disabled === 0 && row.password_hash === ref.passwordHash;
    }
    const row = await this.db
      .selectFrom('app_passwords')
      .innerJoin('users', 'users.id', 'app_passwords.user_id')
      .select('users.disabled')
      .where('app_passwords.id', '=', ref.id)
      .executeTakeFirst();
    return row !== undefined && row.disabled === 0;
  }
}
