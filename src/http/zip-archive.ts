import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { Entry } from '../drive/entries.js';
import type { OpenFile } from '../drive/files.js';
import type { ListPage } from '../drive/tree.js';
import { NotFoundError } from '../errors/domain-error.js';

/** What the archive reads, as the user who asked for it. */
export interface ArchiveSource {
  /** A page of a folder, in the listing's keyset order. */
  list(path: string, cursor: string | undefined): Promise<ListPage>;
  open(path: string): Promise<OpenFile>;
}

class Stopped extends Error {}

/**
 * Streams a zip of files and folders (each item under its own name, folders with everything in
 * them, empty ones as directory entries) without holding more than one file's read at a time:
 * entries are listed and opened only as the zip writer reaches them, and folders are walked a page
 * at a time. Memory grows only with the central directory (a few dozen bytes and the name of each
 * entry), which the format needs at the end.
 *
 * Entries are STOREd, not deflated: most of what a drive holds (photos, video, music, archives) is
 * compressed already, deflate would cost the server's CPU on every byte for little, and it would
 * cap a download at deflate's speed. ZIP64 records appear where a size or an offset passes 4 GiB
 * (yazl decides per entry from the size it is given). Names are UTF-8 (the zip's language flag).
 * An entry that vanishes while the archive is made (moved, deleted) is left out.
 */
export function zipArchive(source: ArchiveSource, items: readonly Entry[]): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  let stopped = false;
  let reading: Readable | null = null;
  const waiting = new Set<(error: Error) => void>();

  const stop = (error?: Error) => {
    if (stopped) return;
    stopped = true;
    reading?.destroy();
    for (const reject of waiting) reject(new Stopped());
    waiting.clear();
    output.destroy(error);
  };
  zip.on('error', (error: Error) => stop(error));
  // Whoever ends the output (the server, once the client is gone) ends the reading too.
  output.once('close', () => stop());

  /** Resolves once the zip writer takes this file, that is once every entry before it is written. */
  const addFile = (file: OpenFile, name: string) =>
    new Promise<void>((resolve, reject) => {
      waiting.add(reject);
      const options = { size: file.size, mtime: new Date(file.entry.modifiedAt), compress: false };
      zip.addReadStreamLazy(zipName(name), options, (callback) => {
        waiting.delete(reject);
        if (stopped) return;
        const stream = file.stream();
        reading = stream;
        // yazl does not watch its inputs' errors: a failed read ends the whole archive.
        stream.once('error', (error) => stop(error));
        callback(null, stream);
        resolve();
      });
    });

  const add = async (entry: Entry, name: string): Promise<void> => {
    if (stopped) throw new Stopped();
    if (entry.kind === 'file') {
      const file = await source.open(entry.path).catch(skipVanished);
      if (file) await addFile(file, name);
      return;
    }
    // The root folder (name "") has no entry of its own: its contents are the top of the zip.
    if (name !== '') zip.addEmptyDirectory(zipName(name), { mtime: new Date(entry.modifiedAt) });
    const prefix = name === '' ? '' : `${name}/`;
    let cursor: string | undefined;
    do {
      const page = await source.list(entry.path, cursor).catch(skipVanished);
      if (!page) return;
      for (const child of page.entries) await add(child, prefix + child.name);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  };

  void (async () => {
    for (const item of items) await add(item, item.path === '/' ? '' : item.name);
    zip.end();
  })().catch((error: unknown) => {
    if (!(error instanceof Stopped)) stop(error instanceof Error ? error : new Error(String(error)));
  });

  return output;
}

/**
 * yazl takes a name that starts with a drive letter ("C: backup/…") for an absolute Windows path
 * and throws; such a name gets a full-width colon, which every system can extract.
 */
function zipName(name: string): string {
  return /^[a-zA-Z]:/.test(name) ? `${name[0]}\uFF1A${name.slice(2)}` : name;
}

function skipVanished(error: unknown): null {
  if (error instanceof NotFoundError) return null;
  throw error;
}
