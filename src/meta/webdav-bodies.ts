import { createWriteStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { BackupError } from './backup-error.js';
import { fsyncPath } from '../blobstore/fsync.js';

// The bodies of the WebDAV backup's requests and answers, streamed: a snapshot can be tens of MB.

const MiB = 1024 * 1024;

/** The size of the local snapshot file; a file that cannot be read is a BackupError. */
export async function localSize(file: string, what: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new BackupError(`could not read the snapshot file ${file} (${code}) while ${what}`, {
      cause: error,
    });
  }
}

/**
 * The file in 1 MiB pieces, each counted as progress. Read on demand (pull): Readable.toWeb on
 * Node 20 reads ahead without waiting for the consumer and held a whole 256 MiB file in memory.
 */
export function fileStream(file: string, progress: () => void): ReadableStream<Uint8Array> {
  let handle: FileHandle | undefined;
  const close = async () => {
    const current = handle;
    handle = undefined;
    await current?.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async start() {
        handle = await open(file, 'r');
      },
      async pull(controller) {
        try {
          const buffer = Buffer.allocUnsafe(MiB);
          const { bytesRead } = await handle!.read(buffer, 0, MiB, null);
          if (bytesRead === 0) {
            await close();
            controller.close();
            return;
          }
          progress();
          controller.enqueue(buffer.subarray(0, bytesRead));
        } catch (error) {
          await close().catch(() => undefined);
          throw error;
        }
      },
      cancel: close,
    },
    { highWaterMark: 1 },
  );
}

export async function drain(response: Response): Promise<void> {
  await response.arrayBuffer();
}

/** The body as UTF-8 text; more than `limit` bytes is a BackupError. */
export async function readText(
  response: Response,
  progress: () => void,
  limit: number,
  what: string,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      progress();
      total += chunk.length;
      if (total > limit) {
        throw new BackupError(`WEBDAV_URL answered with more than ${limit} bytes while ${what}`);
      }
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams the body into a new file and flushes it to disk; resolves with its size. */
export async function saveBody(response: Response, file: string, progress: () => void): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      progress();
      done(null, chunk);
    },
  });
  const body = response.body
    ? Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>)
    : Readable.from([]);
  try {
    await pipeline(body, counter, createWriteStream(file, { flags: 'wx' }));
    await fsyncPath(file);
  } catch (error) {
    // A file-system error names its path; anything else came from the connection.
    const local = error as NodeJS.ErrnoException;
    if (typeof local.path !== 'string') throw error;
    throw new BackupError(`could not write ${local.path} (${local.code ?? 'error'})`, { cause: error });
  }
  return bytes;
}
