import { sql, type Kysely } from 'kysely';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
} from '../errors/domain-error.js';
import type { Database } from '../meta/database.js';
import type { Schema, UserRow } from '../meta/schema.js';
import { burnVerify, checkNewPassword, hashPassword, verifyPassword } from './passwords.js';

export interface User {
  id: number;
  username: string;
  role: 'admin' | 'user';
  quotaBytes: number | null;
  usedBytes: number;
  disabled: boolean;
  rootId: number;
  createdAt: number;
}

export const SYS_ADMIN = 'admin';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    quotaBytes: row.quota_bytes,
    usedBytes: row.used_bytes,
    disabled: row.disabled !== 0,
    rootId: row.root_id!,
    createdAt: row.created_at,
  };
}

const USERNAME = /^[\p{L}\p{N}_.-]{1,64}$/u;

/** Usernames are unique regardless of ASCII case, as the database's index has them. */
function byName(db: Kysely<Schema>, username: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`username collate nocase`, '=', username.normalize('NFC'))
    .executeTakeFirst();
}

function isSysAdmin(username: string): boolean {
  return username.toLowerCase() === SYS_ADMIN;
}

function checkUsername(username: string): string {
  const name = username.normalize('NFC');
  if (!USERNAME.test(name)) {
    throw new BadRequestError('a username has 1 to 64 letters, digits, ".", "_" or "-"', 'INVALID_USERNAME');
  }
  return name;
}

export interface NewUser {
  username: string;
  password: string;
  role: 'admin' | 'user';
  quotaBytes?: number | null;
}

export interface UserChanges {
  password?: string;
  quotaBytes?: number | null;
  disabled?: boolean;
  role?: 'admin' | 'user';
}

export interface UserServiceOptions {
  db: Database;
  defaultQuota: number | null;
  /** SYS_TOKEN: when set, it is the password of the admin user "admin". */
  sysToken: string | undefined;
}

/** Accounts: the first admin, sign-in, and the admin's management of users. */
export class UserService {
  constructor(private readonly options: UserServiceOptions) {}

  private get db(): Database {
    return this.options.db;
  }

  /** With SYS_TOKEN set, makes sure "admin" exists, is an enabled admin, and has that password. */
  async ensureSysAdmin(): Promise<void> {
    const token = this.options.sysToken;
    if (!token) return;
    const row = await byName(this.db, SYS_ADMIN);
    if (!row) {
      const passwordHash = await hashPassword(token);
      await this.db
        .transaction()
        .execute((trx) =>
          this.insert(trx, { username: SYS_ADMIN, passwordHash, role: 'admin', quotaBytes: null }),
        );
      return;
    }
    const samePassword = await verifyPassword(row.password_hash, token);
    // Already in step: no write (every write is replicated to the store).
    if (samePassword && row.role === 'admin' && row.disabled === 0) return;
    await this.db
      .updateTable('users')
      .set({
        role: 'admin',
        disabled: 0,
        updated_at: Date.now(),
        ...(samePassword ? {} : { password_hash: await hashPassword(token) }),
      })
      .where('id', '=', row.id)
      .execute();
    if (!samePassword) await this.db.deleteFrom('sessions').where('user_id', '=', row.id).execute();
  }

  /** First-run setup is open while there is no admin and no SYS_TOKEN. */
  async setupNeeded(): Promise<boolean> {
    if (this.options.sysToken) return false;
    const admin = await this.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .executeTakeFirst();
    return !admin;
  }

  async setup(username: string, password: string): Promise<User> {
    const name = checkUsername(username);
    checkNewPassword(password);
    // Hashing takes a while; do it before the transaction, which holds the database.
    const passwordHash = await hashPassword(password);
    return this.db.transaction().execute(async (trx) => {
      const admin = await trx.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirst();
      if (this.options.sysToken || admin) throw new ForbiddenError('setup is already done', 'SETUP_DONE');
      return this.insert(trx, { username: name, passwordHash, role: 'admin', quotaBytes: null });
    });
  }

  async create(user: NewUser): Promise<User> {
    const username = checkUsername(user.username);
    checkNewPassword(user.password);
    const passwordHash = await hashPassword(user.password);
    const quota =
      user.quotaBytes === undefined
        ? user.role === 'admin'
          ? null
          : this.options.defaultQuota
        : user.quotaBytes;
    return this.db
      .transaction()
      .execute((trx) => this.insert(trx, { username, passwordHash, role: user.role, quotaBytes: quota }));
  }

  private async insert(
    db: Kysely<Schema>,
    user: { username: string; passwordHash: string; role: 'admin' | 'user'; quotaBytes: number | null },
  ): Promise<User> {
    if (await byName(db, user.username)) {
      throw new ConflictError(`the username "${user.username}" is taken`, 'USERNAME_TAKEN');
    }
    const now = Date.now();
    const { id } = await db
      .insertInto('users')
      .values({
        username: user.username,
        password_hash: user.passwordHash,
        role: user.role,
        quota_bytes: user.quotaBytes,
        used_bytes: 0,
        disabled: 0,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const root = await db
      .insertInto('nodes')
      .values({
        owner_id: id,
        parent_id: null,
        name: '',
        kind: 'dir',
        size: 0,
        created_at: now,
        modified_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.updateTable('users').set({ root_id: root.id }).where('id', '=', id).execute();
    return this.get(id, db);
  }

  async get(id: number, db: Kysely<Schema> = this.db): Promise<User> {
    const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('no such user');
    return toUser(row);
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('id').execute();
    return rows.map(toUser);
  }

  /** Checks a username and password. One message for every failure, so it tells nothing apart. */
  async authenticate(username: string, password: string): Promise<User> {
    const row = await byName(this.db, username);
    if (!row) {
      await burnVerify(password);
      throw new UnauthorizedError('wrong username or password');
    }
    const ok = await verifyPassword(row.password_hash, password);
    if (!ok || row.disabled) throw new UnauthorizedError('wrong username or password');
    return toUser(row);
  }

  async changePassword(userId: number, current: string, next: string): Promise<void> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    if (!(await verifyPassword(row.password_hash, current))) {
      throw new BadRequestError('the current password is wrong', 'WRONG_PASSWORD');
    }
    if (isSysAdmin(row.username) && this.options.sysToken) {
      throw new ForbiddenError(
        'the admin password is set by SYS_TOKEN; change it there',
        'SYS_TOKEN_MANAGED',
      );
    }
    checkNewPassword(next);
    const hash = await hashPassword(next);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ password_hash: hash, updated_at: Date.now() })
        .where('id', '=', userId)
        .execute();
      // Whoever else was signed in with the old password is not any more.
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    });
  }

  /** An admin's changes to a user. Changing the password or disabling ends the user's sessions. */
  async update(actor: User, userId: number, changes: UserChanges): Promise<User> {
    const target = await this.get(userId);
    if (
      isSysAdmin(target.username) &&
      this.options.sysToken &&
      (changes.password || changes.disabled || changes.role)
    ) {
      throw new ForbiddenError('the admin account is managed by SYS_TOKEN', 'SYS_TOKEN_MANAGED');
    }
    if (actor.id === userId && (changes.disabled === true || changes.role === 'user')) {
      throw new BadRequestError('you cannot disable or demote yourself', 'SELF_LOCKOUT');
    }
    if (changes.quotaBytes != null && (!Number.isSafeInteger(changes.quotaBytes) || changes.quotaBytes < 0)) {
      throw new BadRequestError('a quota is a whole number of bytes, or null for none', 'BAD_QUOTA');
    }
    if (changes.password !== undefined) checkNewPassword(changes.password);
    await this.db
      .updateTable('users')
      .set({
        updated_at: Date.now(),
        ...(changes.password !== undefined ? { password_hash: await hashPassword(changes.password) } : {}),
        ...(changes.quotaBytes !== undefined ? { quota_bytes: changes.quotaBytes } : {}),
        ...(changes.disabled !== undefined ? { disabled: changes.disabled ? 1 : 0 } : {}),
        ...(changes.role !== undefined ? { role: changes.role } : {}),
      })
      .where('id', '=', userId)
      .execute();
    if (changes.password !== undefined || changes.disabled) {
      await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    }
    return this.get(userId);
  }
}
