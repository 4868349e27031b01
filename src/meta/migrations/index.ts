import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as webdav from './0002-webdav.js';
import * as appPasswords from './0003-app-passwords.js';
import * as repack from './0004-repack.js';
import * as shares from './0005-shares.js';
import * as replication from './0006-replication.js';
import * as uploads from './0007-uploads.js';

/** Every migration, in order. Add new ones at the end; never edit a released one. */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-webdav': webdav,
  '0003-app-passwords': appPasswords,
  '0004-repack': repack,
  '0005-shares': shares,
  '0006-replication': replication,
  '0007-uploads': uploads,
};

/** The names of every migration this version knows, in order. */
export function migrationNames(): string[] {
  return Object.keys(migrations);
}

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
