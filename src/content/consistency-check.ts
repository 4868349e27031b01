import type { BlobStore } from '../blobstore/blob-store.js';
import type { Logger } from '../observability/logger.js';
import { chunkIdHex, type ChunkId } from './chunk-id.js';
import { Manifest } from './manifest.js';
import type { ChunkIndex, GcCatalog, ManifestRoots, MetadataView, PackInfo, StoredChunk } from './ports.js';
import { reporter, type ProgressListener } from './progress.js';
import type { ContentReader } from './reader.js';

export type FsckProblemKind =
  /** A manifest's count is not the number of versions that use it. */
  | 'manifest-refcount'
  /** A version names a manifest that does not exist. */
  | 'missing-manifest'
  /** A chunk's count is not the number of manifest (and unfinished upload) entries that use it. */
  | 'chunk-refcount'
  /** A manifest uses a chunk the index does not have: that file cannot be read whole. */
  | 'missing-chunk'
  /** A chunk row points at a pack with no record, or a retired one. */
  | 'dangling-chunk'
  /** A chunk row places the chunk beyond the end of its pack. */
  | 'chunk-outside-pack'
  /** A pack's live bytes are not the bytes of its referenced chunks. */
  | 'live-bytes'
  /** A committed pack is not in the store. */
  | 'missing-object'
  /** A committed pack's object in the store has another size. */
  | 'object-size'
  /** An object under packs/ in the store that no pack record knows. */
  | 'orphan-object'
  /** A chunk's bytes in the store do not match its id, or could not be read (--verify). */
  | 'corrupt-chunk';

export interface FsckProblem {
  kind: FsckProblemKind;
  manifest?: number;
  /** Chunk id, in hex. */
  chunk?: string;
  pack?: number;
  /** Store key. */
  key?: string;
  expected?: number | null;
  actual?: number | null;
  detail?: string;
  /** `--repair` corrects it (counts and live bytes only). */
  repairable: boolean;
}

export interface FsckOptions {
  /** Read every chunk of every committed pack and check it against its id. */
  verify?: boolean;
  /** Correct reference counts and live bytes. */
  repair?: boolean;
  /** With `repair`: say what would be corrected, change nothing. */
  dryRun?: boolean;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface FsckReport {
  verify: boolean;
  repair: boolean;
  dryRun: boolean;
  /** Every problem found. */
  problemCount: number;
  /** The first MAX_LISTED of them. */
  problems: FsckProblem[];
  /** Problems corrected (with dryRun: that a repair would correct). */
  repaired: number;
  checked: {
    manifests: number;
    chunks: number;
    packs: number;
    objects: number;
    chunksVerified: number;
    bytesVerified: number;
  };
}

export interface ConsistencyCheckDeps {
  store: BlobStore;
  catalog: GcCatalog;
  chunkIndex: ChunkIndex;
  reader: ContentReader;
  logger: Logger;
}

/** Problems listed in a report; the count goes on beyond. */
const MAX_LISTED = 1000;
/** Dead bytes a verifying read may step over rather than start another read. */
const MAX_READ_GAP = 256 * 1024;
const PROGRESS_EVERY = 2000;

/**
 * Packs live under packs/. The rest is not the packs' business: hubdrive.json, the metadata
 * replicas under meta/, and whatever the repo's owner keeps beside them (a README).
 */
export function isPackKey(key: string): boolean {
  return key.startsWith('packs/');
}

function emptyReport(options: FsckOptions): FsckReport {
  return {
    verify: options.verify === true,
    repair: options.repair === true,
    dryRun: options.dryRun === true,
    problemCount: 0,
    problems: [],
    repaired: 0,
    checked: { manifests: 0, chunks: 0, packs: 0, objects: 0, chunksVerified: 0, bytesVerified: 0 },
  };
}

class ProblemList {
  readonly listed: FsckProblem[] = [];
  readonly byKind = new Map<FsckProblemKind, number>();
  count = 0;
  repairable = 0;

  add(problem: FsckProblem): void {
    this.count++;
    this.byKind.set(problem.kind, (this.byKind.get(problem.kind) ?? 0) + 1);
    if (problem.repairable) this.repairable++;
    if (this.listed.length < MAX_LISTED) this.listed.push(problem);
  }
}

/** What the metadata audit found, and the corrections a repair would make. */
interface Audit {
  manifests: number;
  chunks: number;
  refcounts: { id: ChunkId; refcount: number }[];
  liveBytes: { packId: number; liveBytes: number }[];
}

/**
 * `fsck`: compares the metadata with itself (versions → manifests → chunks → packs: counts and live
 * bytes) and with the store (missing, resized and orphan objects), and with `verify` reads every
 * chunk back. `repair` corrects counts and live bytes, nothing else.
 */
export class ConsistencyCheck {
  constructor(private readonly deps: ConsistencyCheckDeps) {}

  async run(roots: ManifestRoots, options: FsckOptions = {}): Promise<FsckReport> {
    const problems = new ProblemList();
    const report = emptyReport(options);
    const progress = reporter(options.onProgress);
    await this.checkMetadata(roots, report, problems, options);
    options.signal?.throwIfAborted();
    const packs = await this.checkStore(report, problems, options);
    if (report.verify) await this.verifyChunks(packs, report, problems, options);
    progress({ phase: 'done', done: 1, total: 1, unit: 'items' });
    report.problemCount = problems.count;
    report.problems = problems.listed;
    report.repaired = report.repair ? problems.repairable : 0;
    return report;
  }

  /**
   * Reference counts that disagree with what uses them (manifests with their versions, chunks with
   * manifest entries): garbage collection trusts the counts, so it must not start while any do.
   */
  async countProblems(roots: ManifestRoots): Promise<number> {
    const problems = new ProblemList();
    await this.checkMetadata(roots, emptyReport({}), problems, {});
    return (problems.byKind.get('manifest-refcount') ?? 0) + (problems.byKind.get('chunk-refcount') ?? 0);
  }

  private async checkMetadata(
    roots: ManifestRoots,
    report: FsckReport,
    problems: ProblemList,
    options: FsckOptions,
  ): Promise<void> {
    const progress = reporter(options.onProgress);
    progress({ phase: 'checking manifests', done: 0, total: null, unit: 'items' });
    const manifestUses = await roots.mismatches();
    for (const use of manifestUses) {
      if (use.refcount === null) {
        problems.add({
          kind: 'missing-manifest',
          manifest: use.manifestId,
          expected: use.versions,
          actual: null,
          repairable: false,
        });
      } else {
        problems.add({
          kind: 'manifest-refcount',
          manifest: use.manifestId,
          expected: use.versions,
          actual: use.refcount,
          repairable: true,
        });
      }
    }
    const audit = (view: MetadataView, skip: ReadonlySet<number>) =>
      this.audit(view, skip, problems, options.onProgress);
    let result: Audit;
    if (report.repair && !report.dryRun) {
      await roots.repair();
      result = await this.deps.catalog.repair(async (view) => {
        const found = await audit(view, new Set());
        await view.setChunkRefcounts(found.refcounts);
        await view.setLiveBytes(found.liveBytes);
        return found;
      });
    } else {
      // A repair would forget the manifests no version uses: their chunks would count without them.
      const forgotten = report.repair
        ? new Set(
            manifestUses.filter((u) => u.versions === 0 && u.refcount !== null).map((u) => u.manifestId),
          )
        : new Set<number>();
      result = await this.deps.catalog.read((view) => audit(view, forgotten));
    }
    report.checked.manifests = result.manifests;
    report.checked.chunks = result.chunks;
  }

  /** Counts each chunk's manifest entries and each pack's live bytes, and compares them with the rows. */
  private async audit(
    view: MetadataView,
    skip: ReadonlySet<number>,
    problems: ProblemList,
    listener: ProgressListener | undefined,
  ): Promise<Audit> {
    const progress = reporter(listener);
    const uses = new Map<string, number>();
    const count = (chunks: Buffer) => {
      const list = Manifest.decode(chunks);
      for (let i = 0; i < list.count; i++) {
        const hex = chunkIdHex(list.id(i));
        uses.set(hex, (uses.get(hex) ?? 0) + 1);
      }
    };
    let manifests = 0;
    for await (const { id, chunks } of view.manifests()) {
      if (++manifests % PROGRESS_EVERY === 0)
        progress({ phase: 'reading manifests', done: manifests, total: null, unit: 'items' });
      if (!skip.has(id)) count(chunks);
    }
    // Unfinished uploads hold their chunks like manifests do: counted, never repaired away.
    for await (const chunks of view.heldChunkLists()) count(chunks);
    const packs = await view.packs();
    const byId = new Map(packs.map((p) => [p.id, p]));
    const live = new Map<number, number>();
    const result: Audit = { manifests, chunks: 0, refcounts: [], liveBytes: [] };
    for await (const chunk of view.chunks()) {
      if (++result.chunks % PROGRESS_EVERY === 0)
        progress({ phase: 'checking chunks', done: result.chunks, total: null, unit: 'items' });
      const hex = chunkIdHex(chunk.id);
      const expected = uses.get(hex) ?? 0;
      uses.delete(hex);
      if (chunk.refcount !== expected) {
        problems.add({
          kind: 'chunk-refcount',
          chunk: hex,
          pack: chunk.packId,
          expected,
          actual: chunk.refcount,
          repairable: true,
        });
        result.refcounts.push({ id: chunk.id, refcount: expected });
      }
      if (expected > 0) live.set(chunk.packId, (live.get(chunk.packId) ?? 0) + chunk.storedLength);
      this.checkPlace(chunk, hex, byId.get(chunk.packId), problems);
    }
    for (const pack of packs) {
      const expected = live.get(pack.id) ?? 0;
      if (pack.liveBytes === expected) continue;
      problems.add({
        kind: 'live-bytes',
        pack: pack.id,
        ...(pack.key ? { key: pack.key } : {}),
        expected,
        actual: pack.liveBytes,
        repairable: true,
      });
      result.liveBytes.push({ packId: pack.id, liveBytes: expected });
    }
    if (uses.size > 0) await this.reportMissing(view, uses, skip, problems);
    return result;
  }

  private checkPlace(chunk: StoredChunk, hex: string, pack: PackInfo | undefined, problems: ProblemList) {
    if (!pack || pack.retiredAt !== null) {
      problems.add({
        kind: 'dangling-chunk',
        chunk: hex,
        pack: chunk.packId,
        detail: pack ? 'the pack is retired' : 'the pack has no record',
        repairable: false,
      });
    } else if (pack.state !== 'open' && chunk.offset + chunk.storedLength > pack.size) {
      problems.add({
        kind: 'chunk-outside-pack',
        chunk: hex,
        pack: chunk.packId,
        expected: chunk.offset + chunk.storedLength,
        actual: pack.size,
        repairable: false,
      });
    }
  }

  /** Chunks manifests use but the index lacks, each with the first manifest that uses it. */
  private async reportMissing(
    view: MetadataView,
    missing: Map<string, number>,
    skip: ReadonlySet<number>,
    problems: ProblemList,
  ): Promise<void> {
    const firstUser = new Map<string, number>();
    for await (const { id, chunks } of view.manifests()) {
      if (skip.has(id)) continue;
      const manifest = Manifest.decode(chunks);
      for (let i = 0; i < manifest.count; i++) {
        const hex = chunkIdHex(manifest.id(i));
        if (missing.has(hex) && !firstUser.has(hex)) firstUser.set(hex, id);
      }
    }
    for (const [hex, count] of missing) {
      problems.add({
        kind: 'missing-chunk',
        chunk: hex,
        ...(firstUser.has(hex) ? { manifest: firstUser.get(hex)! } : {}),
        expected: count,
        actual: null,
        repairable: false,
      });
    }
  }

  /**
   * Lists the store, then compares it with the packs: committed ones must be there with their size,
   * and every other object must be a pack's (or metadata). The store is listed first and what looks
   * wrong is looked at again, so that a pack committed or deleted meanwhile is not reported.
   */
  private async checkStore(
    report: FsckReport,
    problems: ProblemList,
    options: FsckOptions,
  ): Promise<PackInfo[]> {
    const { store, catalog } = this.deps;
    const progress = reporter(options.onProgress);
    const listed = new Map<string, number>();
    for await (const object of store.list('')) {
      listed.set(object.key, object.size);
      if (listed.size % PROGRESS_EVERY === 0)
        progress({ phase: 'listing the store', done: listed.size, total: null, unit: 'items' });
      options.signal?.throwIfAborted();
    }
    report.checked.objects = listed.size;
    const packs = await catalog.packs();
    report.checked.packs = packs.length;
    const known = new Set<string>();
    let done = 0;
    for (const pack of packs) {
      if (++done % PROGRESS_EVERY === 0)
        progress({ phase: 'checking packs', done, total: packs.length, unit: 'items' });
      if (pack.key) known.add(pack.key);
      if (pack.state !== 'committed' || pack.retiredAt !== null || !pack.key) continue;
      const size = listed.get(pack.key) ?? (await store.stat(pack.key))?.size;
      if (size === undefined) {
        problems.add({
          kind: 'missing-object',
          pack: pack.id,
          key: pack.key,
          expected: pack.size,
          actual: null,
          repairable: false,
        });
      } else if (size !== pack.size) {
        problems.add({
          kind: 'object-size',
          pack: pack.id,
          key: pack.key,
          expected: pack.size,
          actual: size,
          repairable: false,
        });
      }
    }
    for (const [key, size] of listed) {
      if (known.has(key) || !isPackKey(key)) continue;
      // Deleted (and its pack forgotten) since the listing: not an orphan.
      if (!(await store.stat(key))) continue;
      problems.add({ kind: 'orphan-object', key, actual: size, repairable: false });
    }
    return packs;
  }

  /** Reads every chunk of every committed pack back and checks it against its id. */
  private async verifyChunks(
    packs: PackInfo[],
    report: FsckReport,
    problems: ProblemList,
    options: FsckOptions,
  ): Promise<void> {
    const progress = reporter(options.onProgress);
    const committed = packs.filter((p) => p.state === 'committed' && p.retiredAt === null && p.key);
    const total = committed.reduce((sum, p) => sum + p.size, 0);
    let done = 0;
    progress({ phase: 'verifying chunks', done, total, unit: 'bytes' });
    for (const pack of committed) {
      options.signal?.throwIfAborted();
      const chunks = await this.deps.chunkIndex.chunksInPack(pack.id);
      if (chunks.length > 0) await this.verifyPack(chunks, report, problems);
      done += pack.size;
      progress({ phase: 'verifying chunks', done, total, unit: 'bytes' });
    }
  }

  private async verifyPack(chunks: StoredChunk[], report: FsckReport, problems: ProblemList): Promise<void> {
    let verified = 0;
    try {
      for await (const span of this.deps.reader.stored(chunks, { maxGap: MAX_READ_GAP })) {
        for (const { chunk } of span.chunks) report.checked.bytesVerified += chunk.storedLength;
        verified += span.chunks.length;
        span.release();
      }
      report.checked.chunksVerified += verified;
      return;
    } catch {
      // Some chunk of the span that failed is bad: read the rest one by one to say which.
    }
    report.checked.chunksVerified += verified;
    for (const chunk of chunks.slice(verified)) {
      try {
        for await (const span of this.deps.reader.stored([chunk], { maxGap: 0 })) span.release();
        report.checked.chunksVerified++;
        report.checked.bytesVerified += chunk.storedLength;
      } catch (error) {
        // A chunk dropped meanwhile (a concurrent delete of its file) is not damage.
        if (!(await this.deps.chunkIndex.find(chunk.id))) continue;
        this.deps.logger.warn({ err: error, pack: chunk.packId }, 'fsck: a chunk failed verification');
        problems.add({
          kind: 'corrupt-chunk',
          chunk: chunkIdHex(chunk.id),
          pack: chunk.packId,
          detail: error instanceof Error ? error.message : String(error),
          repairable: false,
        });
      }
    }
  }
}
