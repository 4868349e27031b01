import { randomUUID } from 'node:crypto';
import { constants as fsConstants, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobSource, BlobStat, BlobStore, ByteRange, CommitResult, StoreLimits } from './blob-store.js';
import { BlobNotFoundError, BlobTooLargeError, RangeNotSatisfiableError } from './errors.js';
import { FileHandleCache } from './file-handle-cache.js';
import { fsyncPath, isNotFound } from './fsync.js';
import { assertValidKey } from './keys.js';
import { readFully } from './read-fully.js';

/** A missing file, or a path through something that is not a folder (an object used as a folder). */
function isMissing(error: unknown): boolean {
  return isNotFound(error) || (error as NodeJS.ErrnoException | null)?.code === 'ENOTDIR';
}

export interface LocalStoreOptions {
  /** The folder that holds the objects. Created when missing. */
  dir: string;
  /** Overrides for tests of the layers above; the defaults are the real limits. */
  limits?: Partial<StoreLimits>;
}

type StagedOp = { kind: 'put'; key: string; temp: string } | { kind: 'delete'; key: string };

interface JournalFile {
  ops: StagedOp[];
}

const STAGING = '.staging';
const JOURNAL = '.journal';
const READ_CHUNK = 1024 * 1024;

/**
 * A folder as a blob store. A put is written to a temporary file and fsync'd; a commit first writes
 * a journal of its renames and deletions, then applies it, so a crash mid-commit is completed (not
 * half-applied) when the store is opened again.
 */
export class LocalStore implements BlobStore {
  readonly kind = 'local';
  readonly limits: StoreLimits;
  private staged = new Map<string, StagedOp>();
  private readonly handles = new FileHandleCache();
  /** Commits whose journal is durable but whose application failed part-way; the next commit finishes them. */
  private unapplied: { journal: string; ops: StagedOp[] }[] = [];
  private commitChain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly root: string,
    limits: Partial<StoreLimits> | undefined,
  ) {
    this.limits = {
      maxObjectSize: Number.MAX_SAFE_INTEGER,
      maxEntriesPerFolder: null,
      commitsPerHour: null,
      maxOperationsPerCommit: null,
      ...limits,
    };
  }

  static async open(options: LocalStoreOptions): Promise<LocalStore> {
    const root = path.resolve(options.dir);
    await fs.mkdir(path.join(root, STAGING), { recursive: true });
    await fs.mkdir(path.join(root, JOURNAL), { recursive: true });
    const store = new LocalStore(root, options.limits);
    await store.recover();
    return store;
  }

  private objectPath(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, source: BlobSource): Promise<void> {
    assertValidKey(key);
    if (source.size > this.limits.maxObjectSize) {
      throw new BlobTooLargeError(`object ${key} is ${source.size} bytes, over the store's limit`);
    }
    const temp = path.join(this.root, STAGING, randomUUID());
    try {
      if (source.path) {
        await linkOrCopy(source.path, temp);
      } else {
        await pipeline(source.open(), createWriteStream(temp));
      }
      const handle = await fs.open(temp, 'r+');
      try {
        const { size } = await handle.stat();
        if (size !== source.size) throw new Error(`put ${key}: wrote ${size} bytes, expected ${source.size}`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
    const previous = this.staged.get(key);
    if (previous?.kind === 'put') await fs.rm(previous.temp, { force: true });
    this.staged.set(key, { kind: 'put', key, temp });
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.objectPath(key);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFoundError(key);
      throw error;
    }
    try {
      const stats = await handle.stat();
      // A folder (a prefix of other keys) is not an object.
      if (!stats.isFile()) throw new BlobNotFoundError(key);
      const { size } = stats;
      if (range && (range.start < 0 || range.end < range.start || range.end >= size)) {
        throw new RangeNotSatisfiableError(
          `range ${range.start}-${range.end} is outside ${key} (${size} bytes)`,
          size,
        );
      }
      // Positional reads from the first byte of the range; the handle closes when the stream ends.
      const bounds = range ? { start: range.start, end: range.end } : { start: 0 };
      return handle.createReadStream({ ...bounds, highWaterMark: READ_CHUNK });
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async readInto(key: string, position: number, target: Buffer): Promise<void> {
    const file = this.objectPath(key);
    let handle: fs.FileHandle;
    try {
      handle = await this.handles.open(file);
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFoundError(key);
      throw error;
    }
    // A negative or fractional position would make the read start at the file's own position (0).
    if (!Number.isSafeInteger(position) || position < 0) {
      const { size } = await handle.stat();
      throw new RangeNotSatisfiableError(`read at ${position} is outside ${key} (${size} bytes)`, size);
    }
    let complete: boolean;
    try {
      complete = await readFully(handle, target, position);
    } catch (error) {
      this.handles.evict(file);
      // A folder (a prefix of other keys) opens but does not read: it is not an object.
      if ((error as NodeJS.ErrnoException | null)?.code === 'EISDIR') throw new BlobNotFoundError(key);
      throw error;
    }
    if (!complete) {
      const { size } = await handle.stat();
      throw new RangeNotSatisfiableError(`read past the end of ${key} (${size} bytes)`, size);
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    try {
      const stats = await fs.stat(this.objectPath(key));
      return stats.isFile() ? { key, size: stats.size } : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<BlobStat> {
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash >= 0 ? prefix.slice(0, slash) : '';
    if (baseKey !== '') {
      // No valid key starts with an invalid folder (such as "../"); never walk outside the store.
      try {
        assertValidKey(baseKey);
      } catch {
        return;
      }
    }
    const baseDir = baseKey === '' ? this.root : path.join(this.root, ...baseKey.split('/'));
    yield* this.walk(baseDir, baseKey, prefix);
  }

  private async *walk(dir: string, dirKey: string, prefix: string): AsyncIterable<BlobStat> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) {
        if (prefix.startsWith(`${key}/`) || key.startsWith(prefix)) {
          yield* this.walk(path.join(dir, entry.name), key, prefix);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const stats = await fs.stat(path.join(dir, entry.name));
        yield { key, size: stats.size };
      }
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    // Check every key before staging any, so that a rejected call stages nothing.
    for (const key of keys) assertValidKey(key);
    for (const key of keys) {
      const previous = this.staged.get(key);
      if (previous?.kind === 'put') await fs.rm(previous.temp, { force: true });
      this.staged.set(key, { kind: 'delete', key });
    }
  }

  commit(_message: string): Promise<CommitResult> {
    const run = this.commitChain.then(() => this.commitStaged());
    this.commitChain = run.catch(() => undefined);
    return run;
  }

  private async commitStaged(): Promise<CommitResult> {
    const result: CommitResult = { id: null, puts: 0, deletes: 0 };
    const count = (ops: StagedOp[], journal: string) => {
      result.id = path.basename(journal, '.json');
      result.puts += ops.filter((o) => o.kind === 'put').length;
      result.deletes += ops.filter((o) => o.kind === 'delete').length;
    };
    // An earlier commit that failed after its journal became durable is decided: finish it first.
    while (this.unapplied.length > 0) {
      const { journal, ops } = this.unapplied[0]!;
      await this.apply(ops);
      await fs.rm(journal, { force: true });
      this.unapplied.shift();
      count(ops, journal);
    }
    const ops = [...this.staged.values()];
    this.staged = new Map();
    if (ops.length === 0) return result;
    const journal = path.join(this.root, JOURNAL, `${Date.now()}-${randomUUID()}.json`);
    // Temps are named relative to the staging folder, so the journal still applies if the store moves.
    const onDisk = ops.map((op) => (op.kind === 'put' ? { ...op, temp: path.basename(op.temp) } : op));
    try {
      const handle = await fs.open(journal, 'w');
      try {
        await handle.writeFile(JSON.stringify({ ops: onDisk } satisfies JournalFile));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsyncPath(path.dirname(journal));
    } catch (error) {
      // The commit never happened: drop the journal and keep its changes staged for a retry.
      await fs.rm(journal, { force: true }).catch(() => undefined);
      await this.restage(ops);
      throw error;
    }
    this.unapplied.push({ journal, ops });
    await this.apply(ops);
    await fs.rm(journal);
    this.unapplied.pop();
    count(ops, journal);
    return result;
  }

  /** Puts back the changes of a commit that failed, under anything staged since (which wins). */
  private async restage(ops: StagedOp[]): Promise<void> {
    const merged = new Map(ops.map((op) => [op.key, op] as const));
    for (const [key, op] of this.staged) {
      const older = merged.get(key);
      if (older?.kind === 'put') await fs.rm(older.temp, { force: true });
      merged.delete(key);
      merged.set(key, op);
    }
    this.staged = merged;
  }

  /** Applies a journal's operations; safe to run again after a crash part-way through. */
  private async apply(ops: StagedOp[]): Promise<void> {
    const touched = new Set<string>();
    for (const op of ops) {
      const target = this.objectPath(op.key);
      this.handles.evict(target);
      if (op.kind === 'put') {
        await fs.mkdir(path.dirname(target), { recursive: true });
        try {
          await fs.rename(path.join(this.root, STAGING, path.basename(op.temp)), target);
        } catch (error) {
          // Already renamed by an earlier, interrupted run of this journal.
          if (!isNotFound(error)) throw error;
        }
      } else {
        await fs.rm(target, { force: true });
      }
      // Again: a read may have opened the old file between the first eviction and the change.
      this.handles.evict(target);
      touched.add(path.dirname(target));
    }
    for (const dir of touched) {
      try {
        await fsyncPath(dir);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  private async recover(): Promise<void> {
    const journalDir = path.join(this.root, JOURNAL);
    const journals = (await fs.readdir(journalDir)).filter((n) => n.endsWith('.json')).sort();
    for (const name of journals) {
      const file = path.join(journalDir, name);
      let parsed: JournalFile | null = null;
      try {
        parsed = JSON.parse(await fs.readFile(file, 'utf8')) as JournalFile;
      } catch {
        // A journal torn while being written belongs to a commit that never happened.
      }
      if (parsed) await this.apply(parsed.ops);
      await fs.rm(file);
    }
    // Whatever is still staged belongs to puts that no commit took: abandoned.
    const stagingDir = path.join(this.root, STAGING);
    for (const name of await fs.readdir(stagingDir))
      await fs.rm(path.join(stagingDir, name), { force: true });
  }

  async close(): Promise<void> {
    await this.commitChain;
    await this.handles.close();
    for (const op of this.staged.values()) if (op.kind === 'put') await fs.rm(op.temp, { force: true });
    this.staged.clear();
  }
}

/**
 * A source file is never changed once handed to put (see BlobSource), so on the same filesystem the
 * object can share its bytes through a hard link instead of a copy.
 */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (
      code !== 'EXDEV' &&
      code !== 'EPERM' &&
      code !== 'ENOTSUP' &&
      code !== 'EMLINK' &&
      code !== 'EACCES'
    ) {
      throw error;
    }
    await fs.copyFile(from, to, fsConstants.COPYFILE_FICLONE);
  }
}
