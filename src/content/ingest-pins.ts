/**
 * Writes in flight, as the repacker must see them. A write that finds a chunk already stored will
 * reference it when its metadata commits, so until then the repacker must not forget that chunk
 * (a pin, taken before the lookup runs). And a write appends to packs whose chunks no index row
 * names until its metadata commits, so no pack from the first one it may have used on is repacked.
 */
export class IngestPins {
  private readonly chunks = new Map<string, number>();
  private readonly holds = new Set<IngestHold>();

  /** A write starts; `firstPackId` is the newest pack that exists now (it may still be open). */
  begin(firstPackId: number): IngestHold {
    const hold = new IngestHold(this, firstPackId);
    this.holds.add(hold);
    return hold;
  }

  /** Hex ids of pinned chunks. */
  pinnedChunks(): ReadonlySet<string> {
    return new Set(this.chunks.keys());
  }

  /** The lowest pack id a write in flight may have appended to, or null when none is in flight. */
  firstPackInUse(): number | null {
    let first: number | null = null;
    for (const hold of this.holds)
      first = first === null ? hold.firstPackId : Math.min(first, hold.firstPackId);
    return first;
  }

  /** @internal */
  add(hex: string): void {
    this.chunks.set(hex, (this.chunks.get(hex) ?? 0) + 1);
  }

  /** @internal */
  remove(hex: string): void {
    const left = (this.chunks.get(hex) ?? 0) - 1;
    if (left > 0) this.chunks.set(hex, left);
    else this.chunks.delete(hex);
  }

  /** @internal */
  drop(hold: IngestHold): void {
    this.holds.delete(hold);
  }
}

/** One write's pins; released once its metadata is committed, or after a while if it never is. */
export class IngestHold {
  private readonly pinned: string[] = [];
  private released = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly owner: IngestPins,
    readonly firstPackId: number,
  ) {}

  pin(hex: string): void {
    if (this.released) return;
    this.pinned.push(hex);
    this.owner.add(hex);
  }

  /** Takes back the latest pin of `hex` (its lookup found nothing). */
  unpin(hex: string): void {
    const at = this.pinned.lastIndexOf(hex);
    if (at < 0) return;
    this.pinned.splice(at, 1);
    this.owner.remove(hex);
  }

  /** Releases after `ms` unless released before: a write whose metadata commit never comes. */
  releaseAfter(ms: number): void {
    if (this.released || this.timer) return;
    this.timer = setTimeout(() => this.release(), ms);
    this.timer.unref();
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    for (const hex of this.pinned) this.owner.remove(hex);
    this.pinned.length = 0;
    this.owner.drop(this);
  }
}
