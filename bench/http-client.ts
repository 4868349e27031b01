import http from 'node:http';
import type { Readable } from 'node:stream';

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request; the body streams in, the response is read fully (or just counted, for downloads). */
export function request(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: Readable | Buffer | string;
    discard?: boolean;
  } = {},
): Promise<Reply & { bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent },
      (res) => {
        const parts: Buffer[] = [];
        let bytes = 0;
        res.on('data', (piece: Buffer) => {
          bytes += piece.length;
          if (!options.discard) parts.push(piece);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), bytes }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/** A signed-in hubdrive API session. */
export class Api {
  private constructor(
    private readonly base: string,
    readonly cookieHeader: string,
    readonly csrfToken: string,
  ) {}

  static async login(base: string, username: string, password: string): Promise<Api> {
    const reply = await request(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${reply.body.toString()}`);
    const cookie = String(reply.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    return new Api(base, cookie, (JSON.parse(reply.body.toString()) as { csrfToken: string }).csrfToken);
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const reply = await request(`${this.base}/api${path}`, {
      method,
      headers: {
        cookie: this.cookieHeader,
        'x-csrf-token': this.csrfToken,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${reply.body.toString()}`);
    return (reply.body.length > 0 ? JSON.parse(reply.body.toString()) : null) as T;
  }

  async upload(path: string, body: Readable, length: number): Promise<void> {
    const reply = await request(`${this.base}/api/fs/content?path=${encodeURIComponent(path)}`, {
      method: 'PUT',
      headers: {
        cookie: this.cookieHeader,
        'x-csrf-token': this.csrfToken,
        'content-length': String(length),
      },
      body,
    });
    if (reply.status >= 300) throw new Error(`upload ${path}: ${reply.status} ${reply.body.toString()}`);
  }

  async download(path: string): Promise<number> {
    const reply = await request(`${this.base}/api/fs/content?path=${encodeURIComponent(path)}`, {
      headers: { cookie: this.cookieHeader },
      discard: true,
    });
    if (reply.status !== 200) throw new Error(`download ${path}: ${reply.status}`);
    return reply.bytes;
  }

  /** Waits until the server reports nothing pending for the store. */
  async waitFlushed(): Promise<void> {
    for (;;) {
      const status = await this.json<{ pendingBytes: number }>('GET', '/admin/store');
      if (status.pendingBytes === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
