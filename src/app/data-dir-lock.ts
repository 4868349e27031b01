import path from 'node:path';
import SQLite from 'better-sqlite3';

/** Another hubdrive process (a server, or a gc or fsck) works on this DATA_DIR. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(readonly dataDir: string) {
    super(`DATA_DIR ${dataDir} is in use by another hubdrive process`);
  }
}

/**
 * One process at a time per DATA_DIR: two writers of one store and one database would undo each
 * other's work. The lock is an exclusive SQLite lock on DATA_DIR/hubdrive.lock, held by an open
 * connection: the operating system drops it with the process, however it ends (kill -9 included).
 */
export class DataDirLock {
  private constructor(private connection: SQLite.Database | null) {}

  /** Takes the lock, or throws DataDirLockedError at once. */
  static acquire(dataDir: string): DataDirLock {
    const connection = new SQLite(path.join(dataDir, 'hubdrive.lock'), { timeout: 0 });
    try {
      // In exclusive locking mode the lock a write takes is kept until the connection closes.
      connection.pragma('locking_mode = EXCLUSIVE');
      connection.exec('begin exclusive');
      connection.exec('create table if not exists holder (pid integer not null, since integer not null)');
      connection.exec('delete from holder');
      connection.prepare('insert into holder (pid, since) values (?, ?)').run(process.pid, Date.now());
      connection.exec('commit');
    } catch (error) {
      connection.close();
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new DataDirLockedError(dataDir);
      throw error;
    }
    return new DataDirLock(connection);
  }

  release(): void {
    this.connection?.close();
    this.connection = null;
  }
}
