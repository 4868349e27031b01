import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isNotFound, moveIntoPlace, writeFilesDurably } from './atomic-file.js';

export interface StoredLfsObject {
  size: number;
  /** When it was uploaded, in milliseconds since the epoch. */
  pushedAt: number;
}

const SHA256 = /^[0-9a-f]{64}$/;
const GIT_OID = /^[0-9a-f]{40}$/;

/**
 * The bytes of one repo: LFS objects by SHA-256 and regular files by git blob id, each stored once,
 * plus the parts of multipart uploads in progress. LFS storage is per repo, as on the Hub: an object
 * uploaded to another repo does not count here.
 */
export class ObjectStore {
  private readonly lfs = new Map<string, StoredLfsObject>();
  private readonly blobs = new Set<string>();

  private constructor(
    private readonly dir: string,
    private readonly tmpDir: string,
  ) {}

  static async open(dir: string, tmpDir: string): Promise<ObjectStore> {
    const store = new ObjectStore(dir, tmpDir);
    for (const file of await listSharded(path.join(dir, 'lfs'), SHA256)) {
      const stat = await fs.stat(file);
      store.lfs.set(path.basename(file), { size: stat.size, pushedAt: stat.mtimeMs });
    }
    for (const file of await listSharded(path.join(dir, 'blobs'), GIT_OID))
      store.blobs.add(path.basename(file));
    return store;
  }

  lfsObject(sha256: string): StoredLfsObject | undefined {
    return this.lfs.get(sha256);
  }

  lfsObjects(): [string, StoredLfsObject][] {
    return [...this.lfs];
  }

  lfsPath(sha256: string): string {
    return path.join(this.dir, 'lfs', sha256.slice(0, 2), sha256);
  }

  /** Takes a verified, fsync'd temp file as the object `sha256`. */
  async adoptLfs(tempFile: string, sha256: string, size: number, now: number): Promise<void> {
    await moveIntoPlace(tempFile, this.lfsPath(sha256));
    this.lfs.set(sha256, { size, pushedAt: now });
  }

  async deleteLfs(sha256: string): Promise<void> {
    this.lfs.delete(sha256);
    await fs.rm(this.lfsPath(sha256), { force: true });
  }

  /** Where the parts of a multipart upload of `sha256` wait for its completion. */
  partsDir(sha256: string): string {
    return path.join(this.dir, 'uploads', sha256);
  }

  hasBlob(oid: string): boolean {
    return this.blobs.has(oid);
  }

  blobOids(): string[] {
    return [...this.blobs];
  }

  blobPath(oid: string): string {
    return path.join(this.dir, 'blobs', oid.slice(0, 2), oid);
  }

  /** Stores regular files' contents (by git blob id) that are not stored yet. */
  async putBlobs(blobs: ReadonlyMap<string, Buffer>): Promise<void> {
    const missing = [...blobs].filter(([oid]) => !this.blobs.has(oid));
    await writeFilesDurably(
      missing.map(([oid, data]) => ({ target: this.blobPath(oid), data })),
      this.tmpDir,
    );
    for (const [oid] of missing) this.blobs.add(oid);
  }

  async readBlob(oid: string): Promise<Buffer> {
    return fs.readFile(this.blobPath(oid));
  }

  async deleteBlob(oid: string): Promise<void> {
    this.blobs.delete(oid);
    await fs.rm(this.blobPath(oid), { force: true });
  }
}

/** Files named like `pattern` in the two-character shard folders under `root`. */
async function listSharded(root: string, pattern: RegExp): Promise<string[]> {
  let shards: string[];
  try {
    shards = await fs.readdir(root);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  const files: string[] = [];
  for (const shard of shards) {
    for (const name of await fs.readdir(path.join(root, shard))) {
      if (pattern.test(name)) files.push(path.join(root, shard, name));
    }
  }
  return files;
}
