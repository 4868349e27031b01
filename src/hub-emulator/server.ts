import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pipeline } from 'node:stream/promises';
import type { Hub } from './hub.js';
import { HubError } from './hub-error.js';
import { bodyLength, errorReply, jsonReply, type FileSlice, type Reply } from './reply.js';
import { matchRoute, type Route } from './router.js';

/** Handles one request: faults first, then the route, then the answer (maybe cut short). */
async function handle(
  hub: Hub,
  routes: readonly Route[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  res.setHeader('X-Request-Id', randomBytes(8).toString('hex'));
  const fault = hub.faults.decide();
  if (hub.faults.latencyMs > 0) await sleep(hub.faults.latencyMs);
  if (fault.kind === 'error') return send(req, res, faultReply(fault.status, hub.faults.retryAfterSeconds));
  const readsOnly = req.method === 'GET' || req.method === 'HEAD';
  if (fault.kind === 'reset' && !readsOnly) return cutWhileReceiving(req);
  const reply = await answer(hub, routes, req);
  if (reply.drop) {
    req.socket.destroy();
    return;
  }
  if (fault.kind === 'reset') return sendCut(req, res, reply);
  return send(req, res, reply);
}

async function answer(hub: Hub, routes: readonly Route[], req: IncomingMessage): Promise<Reply> {
  try {
    const origin = `http://${req.headers.host ?? 'localhost'}`;
    const url = new URL(req.url ?? '/', origin);
    const found = matchRoute(routes, req.method ?? 'GET', url.pathname);
    if (!found.route) {
      throw new HubError(found.pathKnown ? 405 : 404, found.pathKnown ? 'Method not allowed' : 'Not Found');
    }
    const identity = found.route.signed ? null : hub.tokens.identify(req.headers.authorization);
    if (hub.apiBudget && url.pathname.startsWith('/api/')) {
      hub.apiBudget.take(identity?.token ?? `address:${req.socket.remoteAddress ?? ''}`);
    }
    return await found.route.handler({ hub, req, url, origin, params: found.params, identity });
  } catch (error) {
    if (error instanceof HubError) return errorReply(error);
    // The client went away (an aborted upload, say): nobody reads this answer, and it is no bug.
    if (req.socket.destroyed) return errorReply(new HubError(400, 'The connection was closed'));
    // Not a Hub answer but a bug of the emulator (or a broken disk): say so loudly.
    process.stderr.write(
      `hub-emulator: ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}\n`,
    );
    return errorReply(new HubError(500, `Internal error: ${(error as Error).message}`));
  }
}

function faultReply(status: number, retryAfter: number): Reply {
  const headers: Record<string, string> = { 'Retry-After': String(retryAfter) };
  if (status === 429) headers.RateLimit = `"api";r=0;t=${retryAfter}`;
  return jsonReply({ error: `Emulated fault: HTTP ${status}` }, status, headers);
}

function withLength(reply: Reply): Record<string, string> {
  return { ...reply.headers, 'Content-Length': String(bodyLength(reply.body)) };
}

function fileStream(slice: FileSlice, length = slice.length) {
  return createReadStream(slice.path, { start: slice.start, end: slice.start + length - 1 });
}

async function send(req: IncomingMessage, res: ServerResponse, reply: Reply): Promise<void> {
  res.writeHead(reply.status, withLength(reply));
  const body = reply.body;
  if (req.method === 'HEAD' || body === undefined || bodyLength(body) === 0) {
    res.end();
    return;
  }
  if (Buffer.isBuffer(body)) {
    res.end(body);
    return;
  }
  // A client that goes away mid-download is not an error of the emulator.
  await pipeline(fileStream(body), res).catch(() => res.destroy());
}

/** A reset on the way out: the headers and half the body, then the connection is destroyed. */
async function sendCut(req: IncomingMessage, res: ServerResponse, reply: Reply): Promise<void> {
  const length = bodyLength(reply.body);
  const keep = Math.floor(length / 2);
  const body = reply.body;
  if (req.method === 'HEAD' || body === undefined || keep === 0) {
    req.socket.destroy();
    return;
  }
  res.writeHead(reply.status, withLength(reply));
  const chunks = Buffer.isBuffer(body) ? [body.subarray(0, keep)] : fileStream(body, keep);
  try {
    for await (const chunk of chunks) {
      if (!res.write(chunk)) await once(res, 'drain');
    }
    await new Promise<void>((resolve) => res.write('', () => resolve()));
  } finally {
    req.socket.destroy();
  }
}

/** A reset on the way in: part of the request body is read, then the connection is destroyed. */
async function cutWhileReceiving(req: IncomingMessage): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const chunked = req.headers['transfer-encoding'] !== undefined;
  const keep = chunked ? 1 : Math.floor(declared / 2);
  if (keep > 0) {
    let received = 0;
    await new Promise<void>((resolve) => {
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= keep) resolve();
      });
      req.on('end', resolve);
      req.on('error', () => resolve());
    });
  }
  req.socket.destroy();
}

export interface RunningServer {
  server: http.Server;
  /** Waits for requests being handled: nothing writes to the folder after this. */
  settle(): Promise<void>;
}

export function createHubServer(hub: Hub, routes: readonly Route[]): RunningServer {
  const inFlight = new Set<Promise<void>>();
  const server = http.createServer((req, res) => {
    const work = handle(hub, routes, req, res).catch((error: unknown) => {
      process.stderr.write(`hub-emulator: ${(error as Error).stack ?? String(error)}\n`);
      res.destroy();
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });
  // Uploads of several GiB may take longer than Node's default five minutes.
  server.requestTimeout = 0;
  return {
    server,
    settle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
