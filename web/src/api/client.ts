import { apiUrl } from '../env';
import type { ErrorBody, SessionInfo } from './types';

/** An error answer of the API: its status, code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;

/** Keeps the CSRF token of the signed-in session (every change must send it back). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** The ApiError of a failed answer: the JSON error body's code and message, else the status line. */
export async function errorOf(response: Response): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as Partial<ErrorBody>;
    if (body.error) {
      code = body.error.code;
      message = body.error.message;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return apiUrl(path);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${apiUrl(path)}?${text}` : apiUrl(path);
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  return fetch(withQuery(path, options.query), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'same-origin',
    signal: options.signal,
  });
}

/** Calls the JSON API; a CSRF refusal after a new sign-in elsewhere fetches the token once and retries. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options);
  if (response.status === 403 && options.method !== 'GET') {
    const error = await errorOf(response.clone());
    if (error.code === 'CSRF') {
      const session = await fetch(apiUrl('/auth/session'), { credentials: 'same-origin' });
      if (session.ok) {
        setCsrfToken(((await session.json()) as SessionInfo).csrfToken);
        response = await send(path, options);
      }
    }
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** The URL of a file's content (inline, or as a download). */
export function contentUrl(path: string, options: { download?: boolean; version?: number } = {}): string {
  return withQuery('/fs/content', {
    path,
    download: options.download ? 1 : undefined,
    version: options.version,
  });
}
