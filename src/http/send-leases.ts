import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Lease } from '../content/reader.js';

/**
 * Writes verified bytes lent by the content reader straight to the socket, giving each slot back
 * only once the socket has taken its bytes (the write callback), never earlier: the memory is reused
 * for the next read. The first lease is fetched before the status line goes out, so a failure there
 * is still an error response. Backpressure: waits for 'drain'. A closed connection stops the read.
 */
export async function sendLeases(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  leases: AsyncGenerator<Lease>,
): Promise<void> {
  const first = await leases.next();
  reply.hijack();
  const res = reply.raw;
  // Leases taken from the reader and not yet given back, each exactly once.
  const outstanding = new Set<Lease>();
  if (!first.done) outstanding.add(first.value);
  const releaseAll = () => {
    for (const lease of outstanding) lease.release();
    outstanding.clear();
  };
  res.once('close', releaseAll);
  try {
    res.writeHead(status, reply.getHeaders() as OutgoingHttpHeaders);
    for (let item = first; !item.done; item = await leases.next()) {
      const lease = item.value;
      outstanding.add(lease);
      if (res.destroyed) break;
      const flushed = res.write(lease.data, () => {
        outstanding.delete(lease);
        lease.release();
      });
      if (!flushed && !res.destroyed) await drainOrClose(res);
    }
    if (!res.destroyed) res.end();
  } catch (error) {
    // The status line is out: all that is left is to cut the connection so the client sees a failure.
    request.log.error({ err: error }, 'download failed after the response started');
    res.destroy();
  } finally {
    await leases.return(undefined);
    if (res.destroyed) releaseAll();
  }
}

/** Resolves on 'drain' or 'close', whichever comes first, leaving no listener behind. */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
