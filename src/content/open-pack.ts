import { promises as fs } from 'node:fs';
import type { ChunkId } from './chunk-id.js';
import {
  Codec,
  encodeFooter,
  encodeHeader,
  encodeTrailer,
  ENTRY_BYTES,
  FOOTER_BYTES,
  HEADER_BYTES,
  type PackEntry,
} from './pack-format.js';

/**
 * The pack being filled, as a file in the staging folder. Offsets are handed out synchronously and
 * the bytes written with positional writes, so appends from many uploads can overlap; `sync` fsyncs
 * once for every append that came before it (group commit).
 */
export class OpenPack {
  readonly entries: PackEntry[] = [];
  private writes = new Set<Promise<void>>();
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private failed: Error | null = null;
  /** Set once the file is being sealed or closed: later syncs wait for that instead. */
  private closing: Promise<void> | null = null;

  private constructor(
    readonly id: number,
    readonly path: string,
    private readonly handle: fs.FileHandle,
    private readonly flags: number,
    /** Bytes written or promised so far, header included. */
    public size: number,
    readonly createdAt: number,
  ) {}

  static async create(id: number, path: string, flags: number, keyId: number): Promise<OpenPack> {
    const handle = await fs.open(path, 'w');
    try {
      await handle.write(encodeHeader(flags, keyId), 0, HEADER_BYTES, 0);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new OpenPack(id, path, handle, flags, HEADER_BYTES, Date.now());
  }

  /** The bytes this pack would have once sealed with one more chunk of `length` bytes. */
  sizeWith(length: number): number {
    return this.size + length + (this.entries.length + 1) * ENTRY_BYTES + FOOTER_BYTES;
  }

  /** Reserves room for a chunk and starts writing it; `written` settles when the bytes are in the file. */
  append(id: ChunkId, stored: Buffer, plainLength: number): { offset: number; written: Promise<void> } {
    if (this.failed) throw this.failed;
    const offset = this.size;
    this.size += stored.length;
    const entry: PackEntry = { id, offset, storedLength: stored.length, plainLength, codec: Codec.raw };
    this.entries.push(entry);
    const written = this.writeAll(stored, offset).catch((error: Error) => {
      // A hole in the pack: the pack can no longer be trusted for new appends.
      this.failed = error;
      this.entries.splice(this.entries.indexOf(entry), 1);
      throw error;
    });
    const tracked = written.catch(() => undefined);
    this.writes.add(tracked);
    void tracked.then(() => this.writes.delete(tracked));
    return { offset, written };
  }

  get broken(): boolean {
    return this.failed !== null;
  }

  private async writeAll(data: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done, position + done);
      done += bytesWritten;
    }
  }

  /** Makes every append issued before this call durable. */
  sync(): Promise<void> {
    // Sealing fsyncs everything; the handle must not be used once it has started.
    if (this.closing) return this.closing;
    if (!this.running) {
      this.running = this.flushWrites().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // The running fsync may miss appends issued after it began: queue one more, shared by all.
    this.queued ??= this.running.then(
      () => {
        this.queued = null;
        return this.sync();
      },
      () => {
        this.queued = null;
        return this.sync();
      },
    );
    return this.queued;
  }

  private async flushWrites(): Promise<void> {
    await Promise.all([...this.writes]);
    if (this.failed) throw this.failed;
    await this.handle.datasync();
  }

  /**
   * Waits for every write and the running fsync, so that the handle can be closed. A queued fsync
   * starts only after the running one and then finds `closing` set: it waits for the close instead.
   */
  private async quiesce(): Promise<void> {
    await Promise.all([...this.writes]);
    await Promise.allSettled([this.running]);
  }

  /** Writes the trailer and footer, fsyncs and closes. Returns the pack's final size. */
  seal(): Promise<number> {
    const sealed = (async () => {
      try {
        await this.quiesce();
        if (this.failed) throw this.failed;
        const trailer = encodeTrailer(this.entries);
        const footer = encodeFooter(this.size, trailer.length, this.entries.length, this.flags);
        await this.writeAll(Buffer.concat([trailer, footer]), this.size);
        this.size += trailer.length + footer.length;
        await this.handle.sync();
        return this.size;
      } finally {
        await this.handle.close();
      }
    })();
    this.closing = sealed.then(() => undefined);
    this.closing.catch(() => undefined);
    return sealed;
  }

  /** Closes the file unsealed, with every append fsync'd; recovery seals it later. */
  release(): Promise<void> {
    this.closing = (async () => {
      try {
        await this.quiesce();
        if (this.failed) throw this.failed;
        await this.handle.datasync();
      } finally {
        await this.handle.close();
      }
    })();
    return this.closing;
  }

  /** Closes a pack whose write failed, without trusting or syncing anything in it. */
  abandon(): Promise<void> {
    // Already sealed or closing (a seal that failed): its handle is closed or about to be.
    if (this.closing) return this.closing.catch(() => undefined);
    this.closing = (async () => {
      await this.quiesce();
      await this.handle.close();
    })();
    this.closing.catch(() => undefined);
    return this.closing;
  }

  /** Closes without sealing and deletes the file (shutdown of an empty pack). */
  async discard(): Promise<void> {
    await this.abandon();
    await fs.rm(this.path, { force: true });
  }
}

/**
 * Seals a pack from the chunks that committed metadata places in it (after a crash, or after a failed
 * write): anything after them is cut off and the trailer is rebuilt. Chunks whose bytes the file no
 * longer holds (the staging disk lost them) are left out of the trailer and returned, so that the
 * caller can report the loss; reading them fails verification instead of serving wrong bytes.
 */
export async function sealRecoveredPack(
  path: string,
  entries: PackEntry[],
  flags: number,
): Promise<{ size: number; lost: PackEntry[] }> {
  const handle = await fs.open(path, 'r+');
  try {
    const { size: fileSize } = await handle.stat();
    const kept = entries.filter((e) => e.offset + e.storedLength <= fileSize);
    const lost = entries.filter((e) => e.offset + e.storedLength > fileSize);
    const end = kept.reduce((max, e) => Math.max(max, e.offset + e.storedLength), HEADER_BYTES);
    const trailer = encodeTrailer(kept);
    const footer = encodeFooter(end, trailer.length, kept.length, flags);
    await handle.truncate(end);
    const tail = Buffer.concat([trailer, footer]);
    await handle.write(tail, 0, tail.length, end);
    await handle.sync();
    return { size: end + tail.length, lost };
  } finally {
    await handle.close();
  }
}
