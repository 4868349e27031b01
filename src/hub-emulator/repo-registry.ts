import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncDir, tempPath, writeFileDurably } from './atomic-file.js';
import { CommitStore } from './commit-store.js';
import type { FileEntry } from './file-table.js';
import { gitBlobOid } from './git-objects.js';
import { DEFAULT_GITATTRIBUTES } from './gitattributes.js';
import { HubError } from './hub-error.js';
import { Mutex } from './mutex.js';
import { DEFAULT_BRANCH, Repository, sealCommit, type RepoMeta } from './repository.js';

export interface NewRepo {
  name: string;
  private: boolean;
  author: string;
  date: number;
  /** Regular files of the first commit, besides `.gitattributes`. */
  files?: { path: string; content: Buffer }[];
}

/** All repos, under `<root>/<namespace>/<name>/`. */
export class RepoRegistry {
  private readonly repos = new Map<string, Repository>();
  private readonly creating = new Mutex();

  private constructor(
    private readonly root: string,
    private readonly tmpDir: string,
  ) {}

  static async open(root: string, tmpDir: string): Promise<RepoRegistry> {
    const registry = new RepoRegistry(root, tmpDir);
    await fs.mkdir(root, { recursive: true });
    for (const namespace of await fs.readdir(root)) {
      for (const name of await fs.readdir(path.join(root, namespace))) {
        const repo = await Repository.open(path.join(root, namespace, name), tmpDir);
        registry.repos.set(repo.name, repo);
      }
    }
    return registry;
  }

  get(name: string): Repository | undefined {
    return this.repos.get(name);
  }

  all(): Repository[] {
    return [...this.repos.values()];
  }

  /**
   * Creates a repo with its first commit ("initial commit": `.gitattributes`, as the Hub does, plus
   * `files`). It is built in the temp folder and renamed into place, so it appears whole or not at all.
   */
  create(repo: NewRepo): Promise<Repository> {
    return this.creating.run(async () => {
      if (this.repos.has(repo.name)) throw new HubError(409, 'You already created this dataset repo');
      const [namespace, name] = repo.name.split('/') as [string, string];
      const target = path.join(this.root, namespace, name);
      const staging = tempPath(this.tmpDir);
      try {
        const meta: RepoMeta = {
          id: randomBytes(12).toString('hex'),
          name: repo.name,
          private: repo.private,
          createdAt: repo.date,
        };
        const files = new Map<string, FileEntry>();
        const contents = [
          { path: '.gitattributes', content: Buffer.from(DEFAULT_GITATTRIBUTES) },
          ...(repo.files ?? []),
        ];
        for (const file of contents) {
          const oid = gitBlobOid(file.content);
          const blob = path.join(staging, 'blobs', oid.slice(0, 2), oid);
          await writeFileDurably(blob, file.content, this.tmpDir);
          files.set(file.path, { oid, size: file.content.length });
        }
        const { commit } = sealCommit(
          { summary: 'initial commit', description: '', author: repo.author, date: repo.date, files },
          null,
        );
        await new CommitStore(path.join(staging, 'commits'), this.tmpDir).write(commit);
        await writeFileDurably(
          path.join(staging, 'refs.json'),
          JSON.stringify({ [DEFAULT_BRANCH]: commit.id }),
          this.tmpDir,
        );
        await writeFileDurably(path.join(staging, 'repo.json'), JSON.stringify(meta), this.tmpDir);
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.rename(staging, target);
        await fsyncDir(path.dirname(target));
      } catch (error) {
        await fs.rm(staging, { recursive: true, force: true });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') {
          throw new HubError(409, 'You already created this dataset repo');
        }
        throw error;
      }
      const opened = await Repository.open(target, this.tmpDir);
      this.repos.set(opened.name, opened);
      return opened;
    });
  }
}
