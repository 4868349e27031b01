/**
 * Fixed buffers in one SharedArrayBuffer, lent out for a chunk's bytes on their way in or out. The
 * hashing workers see the same memory, so nothing is copied to hash it, and nothing is allocated
 * per chunk, so large transfers cause no garbage-collection churn. Its size bounds the memory that
 * transfers hold, whatever their number: when every slot is lent, `acquire` waits.
 */
export interface Slot {
  readonly index: number;
  /** Where this slot starts in the shared memory. */
  readonly offset: number;
  /** A view of the whole slot. */
  readonly buffer: Buffer;
}

export class SlotPool {
  readonly memory: SharedArrayBuffer;
  private readonly slots: Slot[];
  private readonly free: Slot[];
  private readonly waiters: ((slot: Slot) => void)[] = [];

  constructor(
    readonly slotSize: number,
    readonly count: number,
  ) {
    this.memory = new SharedArrayBuffer(slotSize * count);
    this.slots = Array.from({ length: count }, (_, index) => ({
      index,
      offset: index * slotSize,
      buffer: Buffer.from(this.memory, index * slotSize, slotSize),
    }));
    this.free = [...this.slots].reverse();
  }

  tryAcquire(): Slot | null {
    return this.free.pop() ?? null;
  }

  acquire(): Promise<Slot> {
    const slot = this.free.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(slot: Slot): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(slot);
    else this.free.push(slot);
  }

  get available(): number {
    return this.free.length;
  }
}
