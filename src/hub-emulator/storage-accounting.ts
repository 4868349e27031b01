import type { FileEntry, FileTable } from './file-table.js';

/** How an object is named in the accounting: LFS objects by SHA-256, regular files by git blob id. */
export function objectKey(entry: FileEntry): string {
  return entry.lfs ? `lfs:${entry.lfs.oid}` : `blob:${entry.oid}`;
}

interface Referenced {
  size: number;
  /** A path that referenced it, the newest one seen (the LFS listing shows it as `filename`). */
  path: string;
}

/**
 * The storage a repo uses, as the Hub bills it: the bytes of every object that any commit in the
 * history references, each counted once. Deleting a file in a commit frees nothing; rewriting the
 * history (super-squash, LFS deletion) does.
 */
export class StorageAccount {
  private readonly objects = new Map<string, Referenced>();
  private total = 0;

  /**
   * Counts the objects of one commit's table. Walks go newest first; a commit added on top of the
   * history passes `newest` so that its paths win.
   */
  add(table: FileTable, newest = false): void {
    for (const [path, entry] of table) {
      const key = objectKey(entry);
      const known = this.objects.get(key);
      if (known) {
        if (newest) known.path = path;
        continue;
      }
      const size = entry.lfs ? entry.lfs.size : entry.size;
      this.objects.set(key, { size, path });
      this.total += size;
    }
  }

  clear(): void {
    this.objects.clear();
    this.total = 0;
  }

  get bytes(): number {
    return this.total;
  }

  /** The keys of everything counted now. */
  snapshot(): Set<string> {
    return new Set(this.objects.keys());
  }

  references(key: string): boolean {
    return this.objects.has(key);
  }

  pathOf(key: string): string | undefined {
    return this.objects.get(key)?.path;
  }
}
