import { promises as fs } from 'node:fs';

/**
 * Keeps read-only handles of recently read files open, so that ranged reads of packs (which never
 * change once written) do not open and close the same file for every few megabytes.
 */
export class FileHandleCache {
  private readonly handles = new Map<string, Promise<fs.FileHandle>>();

  constructor(private readonly capacity = 32) {}

  /** An open handle for `file`; throws what fs.open throws (ENOENT…), and caches nothing then. */
  open(file: string): Promise<fs.FileHandle> {
    const cached = this.handles.get(file);
    if (cached) {
      this.handles.delete(file);
      this.handles.set(file, cached);
      return cached;
    }
    const opening = fs.open(file, 'r');
    this.handles.set(file, opening);
    opening.catch(() => {
      if (this.handles.get(file) === opening) this.handles.delete(file);
    });
    if (this.handles.size > this.capacity) {
      const [oldest, handle] = this.handles.entries().next().value!;
      this.handles.delete(oldest);
      void closeLater(handle);
    }
    return opening;
  }

  /** Forgets a file (it was deleted or replaced). */
  evict(file: string): void {
    const handle = this.handles.get(file);
    if (!handle) return;
    this.handles.delete(file);
    void closeLater(handle);
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map(closeLater));
  }
}

// A read already in flight on an evicted handle finishes first: closing waits a moment for it.
async function closeLater(handle: Promise<fs.FileHandle>): Promise<void> {
  try {
    const h = await handle;
    setTimeout(() => void h.close().catch(() => undefined), 5_000).unref();
  } catch {
    // It never opened.
  }
}
