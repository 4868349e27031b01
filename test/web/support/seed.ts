import { Readable } from 'node:stream';
import { openDrive } from '../../helpers/drive.js';
import { ADMIN_PASSWORD } from './web-server.js';

export interface SeedOptions {
  dataDir: string;
  folder: string;
  /** Folder entries first, then file entries, named by `nameOf(i)`. */
  folders: number;
  files: number;
  nameOf(index: number): string;
}

/** A deterministic shuffle, so that creation order (ids) differs from name order. */
function shuffled(count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  let seed = 12345;
  for (let i = count - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Fills a folder through the drive's own services, in-process, on the DATA_DIR a server will then
 * open: real rows in the real SQLite database, made the way the API makes them (one mkdir or one
 * write each), only without HTTP in between.
 */
export async function seedFolder(options: SeedOptions): Promise<void> {
  const built = await openDrive({ DATA_DIR: options.dataDir, SYS_TOKEN: ADMIN_PASSWORD, GC_INTERVAL: '0' });
  try {
    const { drive } = built.app;
    const { admin } = built;
    await drive.tree.mkdir(admin, options.folder);
    for (const i of shuffled(options.folders)) {
      await drive.tree.mkdir(admin, `${options.folder}/${options.nameOf(i)}`);
    }
    for (const i of shuffled(options.files)) {
      const name = options.nameOf(options.folders + i);
      await drive.files.write(admin, `${options.folder}/${name}`, Readable.from([Buffer.from(name)]));
    }
  } finally {
    await built.close();
  }
}
