import { Readable } from 'node:stream';

/**
 * Waits for a stream's first chunk (or its end or error) before the response starts, so that a
 * failure in the first read, such as a corrupt chunk, still becomes an error response rather than a
 * truncated 200. Returns a stream that yields the same bytes.
 */
export async function primeStream(source: Readable): Promise<Readable> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  async function* rest(): AsyncGenerator<Buffer> {
    try {
      if (first.done) return;
      yield first.value;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  return Readable.from(rest(), { objectMode: false, highWaterMark: 1 });
}
