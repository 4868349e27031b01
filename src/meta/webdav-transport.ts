import { STATUS_CODES } from 'node:http';
import { BackupError } from './backup-error.js';

export interface DavTransportOptions {
  username: string | undefined;
  password: string | undefined;
  /** How long a request may go without progress (no answer, no bytes sent or received). */
  idleTimeoutMs: number;
}

export interface DavRequest {
  method: string;
  url: string;
  /** What the request is for, as the end of an error message: "while <what>". */
  what: string;
  headers?: Record<string, string>;
  /** Built per request, so that bytes read from it count as progress. */
  body?: (progress: () => void) => ReadableStream<Uint8Array> | string;
  /** The statuses handed to `read`; any other becomes a BackupError. */
  accept: readonly number[];
}

/** The body of an answer, and `progress` to call as its bytes arrive. */
export type ResponseReader<T> = (response: Response, progress: () => void) => Promise<T>;

/** Connection failures that mean the server was never reached (rather than lost midway). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Sends requests to the WebDAV server of WEBDAV_URL: Basic auth, no redirects followed, a deadline
 * per request that each bit of progress pushes back (a total deadline would cut a slow but healthy
 * upload of a large snapshot), and errors that name their cause without the credentials.
 */
export class DavTransport {
  readonly #authorization: string | null;
  readonly #credentials: boolean;
  readonly #idleTimeoutMs: number;

  constructor(options: DavTransportOptions) {
    const { username, password } = options;
    this.#credentials = username !== undefined || password !== undefined;
    this.#authorization = this.#credentials
      ? `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`, 'utf8').toString('base64')}`
      : null;
    this.#idleTimeoutMs = options.idleTimeoutMs;
  }

  /** Sends `request`; `read` gets an accepted answer. Throws BackupError. */
  async send<T>(request: DavRequest, read: ResponseReader<T>): Promise<T> {
    const deadline = new IdleDeadline(this.#idleTimeoutMs);
    const progress = () => deadline.touch();
    let response: Response | undefined;
    try {
      const headers: Record<string, string> = { ...request.headers };
      if (this.#authorization) headers.Authorization = this.#authorization;
      const body = request.body?.(progress);
      response = await fetch(request.url, {
        method: request.method,
        headers,
        body,
        // Redirects are reported, not followed (credentials are not handed on). A stream body asks for
        // 'error': with any other mode, Node 20's fetch tees the body and holds all of it in memory.
        redirect: typeof body === 'object' ? 'error' : 'manual',
        signal: deadline.signal,
        duplex: 'half',
      });
      progress();
      if (!request.accept.includes(response.status)) throw this.statusError(request, response);
      return await read(response, progress);
    } catch (error) {
      if (error instanceof BackupError) throw error;
      throw this.connectionError(request, error, deadline.signal.aborted, response !== undefined);
    } finally {
      deadline.clear();
      if (response?.body && !response.bodyUsed) await response.body.cancel().catch(() => undefined);
    }
  }

  private statusError(request: DavRequest, response: Response): BackupError {
    const status = response.status;
    const label = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
    const options = { remoteStatus: status };
    const at = `while ${request.what}`;
    if (status === 401 || status === 403) {
      return new BackupError(
        this.#credentials
          ? `WEBDAV_URL refused WEBDAV_USERNAME/WEBDAV_PASSWORD (${status}) ${at}`
          : `WEBDAV_URL asks for a login (${status}); set WEBDAV_USERNAME and WEBDAV_PASSWORD (${at})`,
        options,
      );
    }
    if (status === 507)
      return new BackupError(`the WebDAV server of WEBDAV_URL is full (${label}) ${at}`, options);
    if (status >= 300 && status < 400) {
      const location = safeLocation(response.headers.get('location'), request.url);
      return new BackupError(
        `WEBDAV_URL redirects (${label})${location ? ` to ${location}` : ''} ${at}; set WEBDAV_URL to the folder's final address`,
        options,
      );
    }
    if (request.method === 'PROPFIND' && (status === 200 || status === 405 || status === 501)) {
      return new BackupError(
        `WEBDAV_URL does not look like a WebDAV folder: PROPFIND answered ${label} ${at}`,
        options,
      );
    }
    return new BackupError(`WEBDAV_URL answered ${label} to ${request.method} ${at}`, options);
  }

  private connectionError(request: DavRequest, error: unknown, timedOut: boolean, answered: boolean) {
    const at = `while ${request.what}`;
    if (timedOut) {
      return new BackupError(
        `WEBDAV_URL (${origin(request.url)}) made no progress for ${formatSeconds(this.#idleTimeoutMs)} ${at}`,
        { cause: error },
      );
    }
    const code = causeCode(error);
    if (!answered && code !== null && UNREACHABLE.has(code)) {
      return new BackupError(`could not reach WEBDAV_URL (${origin(request.url)}): ${code} ${at}`, {
        cause: error,
      });
    }
    return new BackupError(
      `the connection to WEBDAV_URL (${origin(request.url)}) failed ${at}: ${causeText(error)}`,
      { cause: error },
    );
  }
}

/** An AbortSignal that fires once `ms` pass without a call to touch(). */
class IdleDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.timer = setTimeout(() => this.controller.abort(), ms);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    if (!this.controller.signal.aborted) this.timer.refresh();
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** The errors fetch gives wrap the socket's (and a failed lookup of several addresses, several). */
function causeChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let at: unknown = error; at instanceof Error && chain.length < 8; at = at.cause) {
    chain.push(at);
    if (at instanceof AggregateError && at.errors[0] instanceof Error) chain.push(at.errors[0]);
  }
  return chain;
}

function causeCode(error: unknown): string | null {
  for (const e of causeChain(error).reverse()) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

function causeText(error: unknown): string {
  const deepest = causeChain(error)
    .reverse()
    .find((e) => e.message !== '');
  return deepest?.message ?? causeCode(error) ?? 'unknown error';
}

function origin(url: string): string {
  return new URL(url).origin;
}

/** A redirect target, shown without any credentials it might carry. */
function safeLocation(location: string | null, base: string): string | null {
  if (!location) return null;
  try {
    const url = new URL(location, base);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return null;
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
