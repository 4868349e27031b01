import assert from 'node:assert/strict';
import http from 'node:http';
import type { Entry } from '../../src/drive/entries.js';
import type { ErrorBody } from '../../src/http/error-handler.js';
import type { PublicUser } from '../../src/http/routes/auth-routes.js';
import type { ApiClient } from '../helpers/client.js';

export type { Entry, ErrorBody, PublicUser };

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** A plain fetch that keeps status, headers and the body text. */
export async function raw(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

// Marks of an internal leak: stack frames, source files, dependency paths, engine error names.
const LEAKS: RegExp[] = [
  /\bat [\w.<>]+ \(/,
  /\bat (file|node):/,
  /\.(ts|js|mjs|cjs):\d+/,
  /node_modules/,
  /\/work\//,
  /\/tmp\//,
  /Sqlite|SQLITE_|sqlite/,
  /\b(TypeError|ReferenceError|SyntaxError|RangeError)\b/,
  /FST_ERR/,
  /"stack"/,
];

/** Asserts that a body shows no stack trace, file path or engine error. */
export function assertNoLeak(text: string, context = ''): void {
  for (const pattern of LEAKS)
    assert.doesNotMatch(text, pattern, `internal detail leaked ${context}: ${text}`);
}

/**
 * Asserts an error response: the status, a JSON content type, exactly `{ error: { code, message } }`
 * with a non-empty message, the code when given, and no internals. Returns the parsed body.
 */
export function assertError(res: RawResponse, status: number, code?: string): ErrorBody {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `not JSON: ${res.text}`);
  const body = JSON.parse(res.text) as ErrorBody;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  assert.equal(typeof body.error.code, 'string');
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0, 'the error message is empty');
  if (code !== undefined) assert.equal(body.error.code, code, `wrong code: ${res.text}`);
  assertNoLeak(res.text);
  return body;
}

/** Asserts that the server still answers /healthz with 200. */
export async function assertHealthy(baseUrl: string): Promise<void> {
  const res = await raw(`${baseUrl}/healthz`);
  assert.equal(res.status, 200, `/healthz answered ${res.status}: ${res.text}`);
  assert.deepEqual(JSON.parse(res.text), { status: 'ok' });
}

/** A signed-in request with the session cookie and CSRF header of `client`, and a raw answer. */
export function call(
  client: ApiClient,
  method: string,
  pathAndQuery: string,
  init: { body?: RequestInit['body']; headers?: Record<string, string>; json?: unknown } = {},
): Promise<RawResponse> {
  const headers = client.headers(init.headers ?? {});
  let body = init.body;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  return raw(`${client.baseUrl}/api${pathAndQuery}`, { method, headers, body });
}

/** `?path=` with the path percent-encoded, as a browser would send it. */
export function q(path: string): string {
  return `?path=${encodeURIComponent(path)}`;
}

/** The admin creates a user through the API. */
export async function createUser(
  admin: ApiClient,
  username: string,
  password: string,
  extra: { quotaBytes?: number | null; role?: 'admin' | 'user' } = {},
): Promise<PublicUser> {
  const res = await admin.post<{ user: PublicUser }>('/admin/users', { username, password, ...extra });
  assert.equal(res.status, 201, `creating ${username} failed: ${JSON.stringify(res.body)}`);
  return res.body.user;
}

export async function usedBytes(client: ApiClient): Promise<number> {
  const res = await client.get<{ user: PublicUser }>('/me');
  assert.equal(res.status, 200);
  return res.body.user.usedBytes;
}

export interface StreamedUpload {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Body bytes written to the socket before the answer came. */
  sent: number;
}

/** A node:http answer in the shape assertError takes. */
export function asRaw(res: Pick<StreamedUpload, 'status' | 'headers' | 'text'>): RawResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  return { status: res.status, headers, text: res.text };
}

/**
 * A GET whose path goes out exactly as written: fetch (and a parsed URL) would resolve ".." and
 * "%2e%2e" segments first, node:http does not.
 */
export function exactGet(origin: string, path: string): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const request = http.get({ hostname, port, path }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () =>
        resolve(
          asRaw({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(parts).toString(),
          }),
        ),
      );
    });
    request.on('error', reject);
  });
}

/**
 * Uploads with a streaming PUT over node:http, so the test controls the framing: with
 * `contentLength` the header is sent as given; without it the body goes out chunked. Writing stops
 * as soon as the server answers (a server may answer before reading the body), and `pauseAfterHeaders`
 * waits for an answer before sending any body byte at all.
 */
export function streamUpload(
  client: ApiClient,
  path: string,
  chunks: Iterable<Buffer>,
  options: { contentLength?: number; pauseAfterHeaders?: boolean } = {},
): Promise<StreamedUpload> {
  const url = new URL(`${client.baseUrl}/api/fs/content${q(path)}`);
  const headers: Record<string, string> = client.headers({ 'content-type': 'application/octet-stream' });
  if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength);
  return new Promise((resolve, reject) => {
    let answered = false;
    let sent = 0;
    const request = http.request(url, { method: 'PUT', headers, agent: false });
    request.on('response', (response) => {
      answered = true;
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(parts).toString(),
          sent,
        }),
      );
      response.on('error', reject);
    });
    request.on('error', (error) => {
      // Once answered, the server may close while bytes are still going out: that is expected.
      if (!answered) reject(error);
    });
    request.flushHeaders();
    const pump = async () => {
      if (options.pauseAfterHeaders) {
        // The body is never sent: only an answer given before reading it can arrive.
        return;
      }
      for (const chunk of chunks) {
        if (answered || request.destroyed) return;
        sent += chunk.length;
        if (!request.write(chunk)) await new Promise<void>((r) => request.once('drain', r).once('close', r));
        // Let the server run between chunks, so it can answer mid-stream.
        await new Promise((r) => setImmediate(r));
      }
      if (!answered && !request.destroyed) request.end();
    };
    pump().catch(reject);
  });
}
