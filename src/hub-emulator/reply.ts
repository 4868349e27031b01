import type { HubError } from './hub-error.js';

/** Part of a file on disk, sent as a response body. */
export interface FileSlice {
  path: string;
  start: number;
  length: number;
}

/**
 * What a handler answers. The server sends it, unless a fault cuts it short; `drop` asks the server
 * to close the connection instead of answering (a commit whose response is lost).
 */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | FileSlice;
  drop?: boolean;
}

export function bodyLength(body: Reply['body']): number {
  if (body === undefined) return 0;
  return Buffer.isBuffer(body) ? body.length : body.length;
}

export function jsonReply(value: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: Buffer.from(JSON.stringify(value)),
  };
}

export function emptyReply(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers };
}

/** Header values must be Latin-1 on one line. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ').slice(0, 500);
}

export function errorReply(error: HubError): Reply {
  const headers: Record<string, string> = { ...error.headers, 'X-Error-Message': headerSafe(error.message) };
  if (error.code) headers['X-Error-Code'] = error.code;
  return jsonReply({ error: error.message }, error.status, headers);
}
