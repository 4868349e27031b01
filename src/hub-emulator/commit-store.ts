import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isNotFound, writeFileDurably } from './atomic-file.js';
import type { FileEntry, FileTable } from './file-table.js';

/** A commit as the emulator keeps it: git-like ids, and the whole file table (not a diff). */
export interface CommitRecord {
  id: string;
  parent: string | null;
  /** The git tree id of the root folder. */
  tree: string;
  summary: string;
  description: string;
  author: string;
  /** Milliseconds since the epoch. */
  date: number;
  files: FileTable;
}

interface StoredCommit {
  id: string;
  parent: string | null;
  tree: string;
  summary: string;
  description: string;
  author: string;
  date: string;
  files: Record<string, FileEntry>;
}

/** One JSON file per commit, named by its id, written atomically. */
export class CommitStore {
  constructor(
    private readonly dir: string,
    private readonly tmpDir: string,
  ) {}

  private file(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  async write(commit: CommitRecord): Promise<void> {
    const stored: StoredCommit = {
      ...commit,
      date: new Date(commit.date).toISOString(),
      files: Object.fromEntries(commit.files),
    };
    await writeFileDurably(this.file(commit.id), JSON.stringify(stored), this.tmpDir);
  }

  async read(id: string): Promise<CommitRecord | undefined> {
    if (!/^[0-9a-f]{40}$/.test(id)) return undefined;
    let text: string;
    try {
      text = await fs.readFile(this.file(id), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const stored = JSON.parse(text) as StoredCommit;
    return { ...stored, date: Date.parse(stored.date), files: new Map(Object.entries(stored.files)) };
  }

  async ids(): Promise<string[]> {
    const names = await fs.readdir(this.dir).catch((error: unknown) => {
      if (isNotFound(error)) return [];
      throw error;
    });
    return names.filter((n) => /^[0-9a-f]{40}\.json$/.test(n)).map((n) => n.slice(0, 40));
  }

  async remove(id: string): Promise<void> {
    await fs.rm(this.file(id), { force: true });
  }
}
