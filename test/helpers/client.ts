import assert from 'node:assert/strict';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A signed-in API client: keeps the session cookie and sends the CSRF token like the web UI does. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly cookie: string,
    readonly csrfToken: string,
  ) {}

  static async login(baseUrl: string, username: string, password: string): Promise<ApiClient> {
    const response = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    assert.equal(response.status, 200, `login as ${username} failed: ${await response.clone().text()}`);
    const body = (await response.json()) as { csrfToken: string };
    const cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return new ApiClient(baseUrl, cookie, body.csrfToken);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { cookie: this.cookie, 'x-csrf-token': this.csrfToken, ...extra };
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}/api${path}`, {
      method,
      headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : null) as T,
    };
  }

  get<T = unknown>(path: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body: unknown = {}): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body);
  }

  /** Uploads bytes with a streaming PUT. */
  async upload<T = unknown>(path: string, data: Uint8Array | string, query = ''): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}/api/fs/content?path=${encodeURIComponent(path)}${query}`, {
      method: 'PUT',
      headers: this.headers({ 'content-type': 'application/octet-stream' }),
      body: data,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : null) as T,
    };
  }

  /** Downloads a file; `headers` may carry Range, If-Range, If-None-Match. */
  async download(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const response = await fetch(`${this.baseUrl}/api/fs/content?path=${encodeURIComponent(path)}`, {
      headers: { cookie: this.cookie, ...headers },
    });
    return {
      status: response.status,
      headers: response.headers,
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }
}
