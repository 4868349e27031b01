import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface ThumbnailCacheOptions {
  /** Its own folder (DATA_DIR/thumbs): everything in it may be deleted at any time. */
  dir: string;
  /** Bytes the cache may hold; the least recently used thumbnails go first beyond it. */
  maxBytes: number;
}

/** A key names one rendering: the content's hash and the size, e.g. "3fa9…-256". */
const KEY = /^[0-9a-f]{16,64}-\d{1,4}$/;

/**
 * Rendered thumbnails on disk, keyed by content hash, bounded in bytes. They are derived data:
 * rebuildable, never replicated to the store, and safe to lose (a crash mid-write leaves at most a
 * temporary file, removed at the next start). Recency lives in memory, seeded at start-up from the
 * files' modification times, which a hit refreshes.
 */
export class ThumbnailCache {
  /** Key to size, least recently used first (a Map keeps insertion order; a hit re-inserts). */
  private entries: Map<string, number> | null = null;
  private loading: Promise<Map<string, number>> | null = null;
  private total = 0;

  constructor(private readonly options: ThumbnailCacheOptions) {}

  get bytes(): number {
    return this.total;
  }

  private fileOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`bad thumbnail key ${key}`);
    return path.join(this.options.dir, key.slice(0, 2), `${key}.webp`);
  }

  async get(key: string): Promise<Buffer | null> {
    const entries = await this.load();
    if (!entries.has(key)) return null;
    const file = this.fileOf(key);
    try {
      const data = await fs.readFile(file);
      entries.delete(key);
      entries.set(key, data.length);
      const now = new Date();
      fs.utimes(file, now, now).catch(() => undefined);
      return data;
    } catch {
      this.forget(entries, key);
      return null;
    }
  }

  async put(key: string, data: Buffer): Promise<void> {
    const entries = await this.load();
    const file = this.fileOf(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(temp, data);
      await fs.rename(temp, file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
    this.forget(entries, key);
    entries.set(key, data.length);
    this.total += data.length;
    await this.evict(entries);
  }

  private forget(entries: Map<string, number>, key: string): void {
    const size = entries.get(key);
    if (size === undefined) return;
    entries.delete(key);
    this.total -= size;
  }

  private async evict(entries: Map<string, number>): Promise<void> {
    while (this.total > this.options.maxBytes && entries.size > 0) {
      const oldest = entries.keys().next().value!;
      this.forget(entries, oldest);
      await fs.rm(this.fileOf(oldest), { force: true });
    }
  }

  private load(): Promise<Map<string, number>> {
    if (this.entries) return Promise.resolve(this.entries);
    this.loading ??= this.scan().then((entries) => {
      this.entries = entries;
      return entries;
    });
    return this.loading;
  }

  /** What an earlier run left, oldest first; temporary files of interrupted writes are removed. */
  private async scan(): Promise<Map<string, number>> {
    await fs.mkdir(this.options.dir, { recursive: true });
    const found: { key: string; size: number; at: number }[] = [];
    for (const shard of await fs.readdir(this.options.dir, { withFileTypes: true })) {
      if (!shard.isDirectory()) continue;
      const shardDir = path.join(this.options.dir, shard.name);
      for (const name of await fs.readdir(shardDir)) {
        const file = path.join(shardDir, name);
        const key = name.endsWith('.webp') ? name.slice(0, -'.webp'.length) : '';
        if (!KEY.test(key)) {
          await fs.rm(file, { force: true });
          continue;
        }
        const stat = await fs.stat(file).catch(() => null);
        if (stat?.isFile()) found.push({ key, size: stat.size, at: stat.mtimeMs });
      }
    }
    found.sort((a, b) => a.at - b.at);
    const entries = new Map<string, number>();
    this.total = 0;
    for (const { key, size } of found) {
      entries.set(key, size);
      this.total += size;
    }
    await this.evict(entries);
    return entries;
  }
}
