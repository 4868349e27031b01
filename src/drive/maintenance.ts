import type { FsckOptions, FsckReport } from '../content/consistency-check.js';
import type { ContentEngine } from '../content/content-engine.js';
import type { GcOptions, GcReport } from '../content/garbage-collector.js';
import { ConflictError } from '../errors/domain-error.js';
import type { Database } from '../meta/database.js';
import { VersionRoots } from './content-roots.js';

/** Garbage collection and the consistency check, one at a time, with versions as the roots. */
export class MaintenanceService {
  private running: 'gc' | 'fsck' | null = null;
  private readonly roots: VersionRoots;
  private readonly engine: ContentEngine;

  constructor(options: { db: Database; engine: ContentEngine }) {
    this.roots = new VersionRoots(options.db);
    this.engine = options.engine;
  }

  /** A gc or fsck is under way. */
  get busy(): boolean {
    return this.running !== null;
  }

  gc(options: GcOptions = {}): Promise<GcReport> {
    return this.alone('gc', () => this.engine.collectGarbage(this.roots, options));
  }

  fsck(options: FsckOptions = {}): Promise<FsckReport> {
    return this.alone('fsck', () => this.engine.checkConsistency(this.roots, options));
  }

  private async alone<T>(what: 'gc' | 'fsck', work: () => Promise<T>): Promise<T> {
    if (this.running) {
      throw new ConflictError(
        `a ${this.running} is under way; try again once it is done`,
        'MAINTENANCE_RUNNING',
      );
    }
    this.running = what;
    try {
      return await work();
    } finally {
      this.running = null;
    }
  }
}
