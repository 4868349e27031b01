import { sql } from 'kysely';
import type { ContentEngine } from '../content/content-engine.js';
import type { Database } from '../meta/database.js';
import type { ReplicationStatus } from '../meta/replicator.js';
import { AppPasswordService } from './app-passwords.js';
import { FileService } from './files.js';
import { MaintenanceService } from './maintenance.js';
import { PropertyService } from './properties.js';
import { SessionService } from './sessions.js';
import { ShareService } from './shares.js';
import { TrashService } from './trash.js';
import { TreeService } from './tree.js';
import { UserService } from './users.js';
import { VersionService } from './versions.js';
import { UploadService } from './uploads.js';

export interface DriveOptions {
  db: Database;
  engine: ContentEngine;
  sysToken: string | undefined;
  defaultQuota: number | null;
  versionsKeep: number;
  sessionTtlMs: number;
  /** The metadata's replication into the store, for the admin's status. */
  replication?: { status(): Promise<ReplicationStatus> };
}

/** The domain: every operation the edges (HTTP API, WebDAV, uploads) may call. */
export interface Drive {
  users: UserService;
  sessions: SessionService;
  tree: TreeService;
  files: FileService;
  trash: TrashService;
  versions: VersionService;
  /** Properties clients store on files and folders (WebDAV dead properties). */
  properties: PropertyService;
  /** WebDAV clients' passwords. */
  appPasswords: AppPasswordService;
  /** Share links: owners manage them; anyone with a link reads what it shares. */
  shares: ShareService;
  /** Garbage collection and the consistency check (gc, fsck), one at a time. */
  maintenance: MaintenanceService;
  /** Resumable uploads (tus): unfinished ones hold their chunks until they complete or expire. */
  uploads: UploadService;
  /** Writes not yet in the store, the last commit and error, transfer buffers, store usage: for admins. */
  storeStatus(): Promise<StoreStatus>;
  /** Resolves while the metadata database answers (the health check). */
  ping(): Promise<void>;
}

export type StoreStatus = ReturnType<ContentEngine['status']> & {
  usage: Awaited<ReturnType<ContentEngine['storeUsage']>>;
  replication: ReplicationStatus | null;
};

export async function createDrive(options: DriveOptions): Promise<Drive> {
  const { db, engine } = options;
  const users = new UserService({ db, defaultQuota: options.defaultQuota, sysToken: options.sysToken });
  await users.ensureSysAdmin();
  const tree = new TreeService(db);
  const files = new FileService({ db, engine, versionsKeep: options.versionsKeep });
  return {
    users,
    sessions: new SessionService(db, options.sessionTtlMs),
    tree,
    files,
    trash: new TrashService(db),
    versions: new VersionService(db, options.versionsKeep),
    properties: new PropertyService(db),
    appPasswords: new AppPasswordService(db),
    shares: new ShareService({ db, tree, files }),
    maintenance: new MaintenanceService({ db, engine }),
    uploads: new UploadService({ db, engine, tree, versionsKeep: options.versionsKeep }),
    storeStatus: async () => ({
      ...engine.status(),
      usage: await engine.storeUsage().catch(() => null),
      replication: (await options.replication?.status()) ?? null,
    }),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
  };
}
