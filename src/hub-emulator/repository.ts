import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileDurably } from './atomic-file.js';
import { CommitStore, type CommitRecord } from './commit-store.js';
import type { FileTable } from './file-table.js';
import { gitCommitOid, gitTreeOids } from './git-objects.js';
import { Mutex } from './mutex.js';
import { ObjectStore } from './object-store.js';
import { StorageAccount } from './storage-accounting.js';

export interface RepoMeta {
  /** The Hub's internal id of the repo (24 hex digits). */
  id: string;
  name: string;
  private: boolean;
  createdAt: number;
}

/** A commit before it has an id and a parent. */
export interface CommitDraft {
  summary: string;
  description: string;
  author: string;
  date: number;
  files: FileTable;
}

export const DEFAULT_BRANCH = 'main';
const CACHED_COMMITS = 16;
const CACHED_TREES = 8;

/** Builds the commit record of a draft on top of `parent`, with git-compatible ids. */
export function sealCommit(
  draft: CommitDraft,
  parent: string | null,
): { commit: CommitRecord; trees: Map<string, string> } {
  const trees = gitTreeOids(draft.files);
  const tree = trees.get('')!;
  const message = draft.description ? `${draft.summary}\n\n${draft.description}` : draft.summary;
  const id = gitCommitOid({ tree, parent, author: draft.author, date: draft.date, message });
  return { commit: { ...draft, id, parent, tree }, trees };
}

/**
 * One dataset repo on disk: `repo.json`, `refs.json` (branch → commit; rewriting it is the moment a
 * commit happens), `commits/`, and its objects. Writers hold `lock`; readers see whole commits only.
 */
export class Repository {
  readonly lock = new Mutex();
  readonly storage = new StorageAccount();
  private refs: Record<string, string> = {};
  private readonly heads = new Map<string, CommitRecord>();
  private readonly lengths = new Map<string, number>();
  private readonly cache = new Map<string, CommitRecord>();
  private readonly trees = new Map<string, Map<string, string>>();
  private commitDates: number[] = [];

  private constructor(
    readonly dir: string,
    readonly meta: RepoMeta,
    readonly objects: ObjectStore,
    private readonly commits: CommitStore,
    private readonly tmpDir: string,
  ) {}

  static async open(dir: string, tmpDir: string): Promise<Repository> {
    const meta = JSON.parse(await fs.readFile(path.join(dir, 'repo.json'), 'utf8')) as RepoMeta;
    const objects = await ObjectStore.open(dir, tmpDir);
    const repo = new Repository(
      dir,
      meta,
      objects,
      new CommitStore(path.join(dir, 'commits'), tmpDir),
      tmpDir,
    );
    repo.refs = JSON.parse(await fs.readFile(path.join(dir, 'refs.json'), 'utf8')) as Record<string, string>;
    await repo.recount();
    return repo;
  }

  get name(): string {
    return this.meta.name;
  }

  branches(): string[] {
    return Object.keys(this.refs);
  }

  head(branch: string): CommitRecord | undefined {
    return this.heads.get(branch);
  }

  /** How many commits the branch's history holds. */
  historyLength(branch: string): number {
    return this.lengths.get(branch) ?? 0;
  }

  /** When the commits of the history were made (ms; not the repo's first), for the hourly commit budget. */
  datesOfCommits(): readonly number[] {
    return this.commitDates;
  }

  async readCommit(id: string): Promise<CommitRecord | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const commit = await this.commits.read(id);
    if (commit) this.remember(commit);
    return commit;
  }

  /** A branch name, `HEAD` (the default branch), or a full commit id. */
  async resolve(revision: string): Promise<CommitRecord | undefined> {
    const branch = revision === 'HEAD' ? DEFAULT_BRANCH : revision;
    return this.heads.get(branch) ?? (await this.readCommit(revision));
  }

  /** The commit and its ancestors, newest first. */
  async *history(start: CommitRecord): AsyncGenerator<CommitRecord> {
    let commit: CommitRecord | undefined = start;
    while (commit) {
      yield commit;
      if (!commit.parent) return;
      const parent: CommitRecord | undefined = await this.readCommit(commit.parent);
      if (!parent) throw new Error(`${this.name}: commit ${commit.parent} is missing`);
      commit = parent;
    }
  }

  /** The git tree id of each folder of a commit. */
  treeOids(commit: CommitRecord): Map<string, string> {
    let oids = this.trees.get(commit.id);
    if (!oids) {
      oids = gitTreeOids(commit.files);
      this.rememberTrees(commit.id, oids);
    }
    return oids;
  }

  /** Adds a commit on top of `branch`. The caller holds `lock`. */
  async append(branch: string, draft: CommitDraft): Promise<CommitRecord> {
    const parent = this.heads.get(branch);
    const { commit, trees } = sealCommit(draft, parent?.id ?? null);
    await this.commits.write(commit);
    await this.writeRefs({ ...this.refs, [branch]: commit.id });
    this.remember(commit);
    this.rememberTrees(commit.id, trees);
    this.heads.set(branch, commit);
    this.lengths.set(branch, this.historyLength(branch) + 1);
    this.storage.add(commit.files, true);
    this.commitDates.push(commit.date);
    return commit;
  }

  /**
   * Replaces the whole history of `branch` with `chain` (oldest first), as super-squash and history
   * rewrites do; commits no branch reaches any more are deleted. The caller holds `lock`.
   */
  async replaceHistory(branch: string, chain: CommitDraft[]): Promise<CommitRecord> {
    let parent: string | null = null;
    let head: CommitRecord | undefined;
    for (const draft of chain) {
      const { commit } = sealCommit(draft, parent);
      await this.commits.write(commit);
      this.remember(commit);
      parent = commit.id;
      head = commit;
    }
    if (!head) throw new Error('a history needs at least one commit');
    await this.writeRefs({ ...this.refs, [branch]: head.id });
    const reachable = await this.recount();
    for (const id of await this.commits.ids()) {
      if (!reachable.has(id)) {
        this.cache.delete(id);
        this.trees.delete(id);
        await this.commits.remove(id);
      }
    }
    return head;
  }

  private async writeRefs(refs: Record<string, string>): Promise<void> {
    await writeFileDurably(path.join(this.dir, 'refs.json'), JSON.stringify(refs), this.tmpDir);
    this.refs = refs;
  }

  /** Walks every branch again: heads, history lengths, storage, commit dates. Returns the commits seen. */
  private async recount(): Promise<Set<string>> {
    const seen = new Set<string>();
    this.storage.clear();
    this.heads.clear();
    this.lengths.clear();
    const dates: number[] = [];
    for (const [branch, id] of Object.entries(this.refs)) {
      const head = await this.readCommit(id);
      if (!head) throw new Error(`${this.name}: branch ${branch} points at missing commit ${id}`);
      this.heads.set(branch, head);
      let length = 0;
      for await (const commit of this.history(head)) {
        length++;
        if (seen.has(commit.id)) continue;
        seen.add(commit.id);
        this.storage.add(commit.files);
        // The first commit comes with the repo's creation, which spends no budget.
        if (commit.parent !== null || commit.date !== this.meta.createdAt) dates.push(commit.date);
      }
      this.lengths.set(branch, length);
    }
    this.commitDates = dates.sort((a, b) => a - b);
    return seen;
  }

  private remember(commit: CommitRecord): void {
    this.cache.delete(commit.id);
    this.cache.set(commit.id, commit);
    for (const id of this.cache.keys()) {
      if (this.cache.size <= CACHED_COMMITS) break;
      if ([...this.heads.values()].some((h) => h.id === id)) continue;
      this.cache.delete(id);
    }
  }

  private rememberTrees(id: string, oids: Map<string, string>): void {
    this.trees.set(id, oids);
    for (const key of this.trees.keys()) {
      if (this.trees.size <= CACHED_TREES) break;
      this.trees.delete(key);
    }
  }
}
