import type { promises as fs } from 'node:fs';

/**
 * Fills `target` from `position` of an open file with positional reads (never from byte 0).
 * Returns false when the file ends first.
 */
export async function readFully(handle: fs.FileHandle, target: Buffer, position: number): Promise<boolean> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}
