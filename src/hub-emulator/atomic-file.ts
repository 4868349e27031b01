import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Flushes a folder's entries (a rename into it) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A fresh name in the emulator's temp folder, which is on the same file system as everything else. */
export function tempPath(tmpDir: string): string {
  return path.join(tmpDir, `${randomBytes(12).toString('hex')}.tmp`);
}

/** Moves a finished, fsync'd temp file into place: the rename is the moment it exists. */
export async function moveIntoPlace(from: string, target: string): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.rename(from, target);
  await fsyncDir(path.dirname(target));
}

async function writeTemp(data: Buffer | string, tmpDir: string): Promise<string> {
  const tmp = tempPath(tmpDir);
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return tmp;
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/** Writes `data` so that `target` is either its old content or all of the new one, even after a crash. */
export async function writeFileDurably(target: string, data: Buffer | string, tmpDir: string): Promise<void> {
  const tmp = await writeTemp(data, tmpDir);
  try {
    await moveIntoPlace(tmp, target);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Writes many files durably, several at a time, and flushes each folder once: a commit of a
 * thousand small files costs a thousand fsyncs in parallel, not two thousand in a row.
 */
export async function writeFilesDurably(
  files: { target: string; data: Buffer }[],
  tmpDir: string,
): Promise<void> {
  const folders = new Set(files.map((f) => path.dirname(f.target)));
  for (const folder of folders) await fs.mkdir(folder, { recursive: true });
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const tmp = await writeTemp(file.data, tmpDir);
      await fs.rename(tmp, file.target).catch(async (error: unknown) => {
        await fs.rm(tmp, { force: true });
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, files.length) }, worker));
  for (const folder of folders) await fsyncDir(folder);
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
