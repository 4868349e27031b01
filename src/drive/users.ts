import type { Kysely } from 'kysely';
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
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', SYS_ADMIN)
      .executeTakeFirst();
    if (!row) {
      await this.insert(
        this.db,
        { username: SYS_ADMIN, password: token, role: 'admin', quotaBytes: null },
        false,
      );
      return;
    }
    const samePassword = await verifyPassword(row.password_hash, token);
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
    return this.db.transaction().execute(async (trx) => {
      const admin = await trx.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirst();
      if (this.options.sysToken || admin) throw new ForbiddenError('setup is already done', 'SETUP_DONE');
      return this.insert(trx, { username, password, role: 'admin', quotaBytes: null });
    });
  }

  create(user: NewUser): Promise<User> {
    return this.db.transaction().execute((trx) => this.insert(trx, user));
  }

  private async insert(db: Kysely<Schema>, user: NewUser, checkPassword = true): Promise<User> {
    const username = checkUsername(user.username);
    if (checkPassword) checkNewPassword(user.password);
    const taken = await db
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (taken) throw new ConflictError(`the username "${username}" is taken`, 'USERNAME_TAKEN');
    const now = Date.now();
    const quota = user.quotaBytes === undefined ? this.options.defaultQuota : user.quotaBytes;
    const { id } = await db
      .insertInto('users')
      .values({
        username,
        password_hash: await hashPassword(user.password),
        role: user.role,
        quota_bytes: user.role === 'admin' && user.quotaBytes === undefined ? null : quota,
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
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username.normalize('NFC'))
      .executeTakeFirst();
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
    if (row.username === SYS_ADMIN && this.options.sysToken) {
      throw new ForbiddenError(
        'the admin password is set by SYS_TOKEN; change it there',
        'SYS_TOKEN_MANAGED',
      );
    }
    checkNewPassword(next);
    await this.db
      .updateTable('users')
      .set({ password_hash: await hashPassword(next), updated_at: Date.now() })
      .where('id', '=', userId)
      .execute();
  }

  /** An admin's changes to a user. Changing the password or disabling ends the user's sessions. */
  async update(actor: User, userId: number, changes: UserChanges): Promise<User> {
    const target = await this.get(userId);
    if (
      target.username === SYS_ADMIN &&
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
