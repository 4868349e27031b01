import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import * as tus from 'tus-js-client';
import type { ApiClient } from '../helpers/client.js';

/** A request tus-js-client sent, and what came back. */
export interface TusExchange {
  method: string;
  url: string;
  /** The Upload-Offset it sent (PATCH), if any. */
  sentOffset: number | null;
  status: number;
  /** The Upload-Offset the server answered (HEAD, PATCH), if any. */
  offset: number | null;
}

export interface TusRun {
  upload: tus.Upload;
  exchanges: TusExchange[];
  /** Settles with the upload's end: resolves on success, rejects with the client's error. */
  done: Promise<void>;
  /** The upload's URL, once the server made it. */
  url(): string;
}

export interface TusRunOptions {
  client: ApiClient;
  /** Upload-Metadata; `path` is the target. */
  metadata?: Record<string, string>;
  /** Resume this upload instead of making one. */
  uploadUrl?: string;
  /** Sources that are not a Buffer (see gatedSource). */
  fileReader?: tus.UploadOptions['fileReader'];
  chunkSize?: number;
  /** creation-with-upload: the bytes go with the POST. */
  uploadDataDuringCreation?: boolean;
}

/** Starts a tus upload with the real tus-js-client, signed in as `client`, with no retries. */
export function startTus(data: Buffer, options: TusRunOptions): TusRun {
  const exchanges: TusExchange[] = [];
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  done.catch(() => undefined);
  const upload = new tus.Upload(data, {
    endpoint: `${options.client.baseUrl}/api/tus/`,
    uploadUrl: options.uploadUrl ?? null,
    metadata: options.metadata ?? {},
    headers: options.client.headers(),
    retryDelays: null,
    storeFingerprintForResuming: false,
    chunkSize: options.chunkSize ?? Number.POSITIVE_INFINITY,
    uploadDataDuringCreation: options.uploadDataDuringCreation ?? false,
    ...(options.fileReader ? { fileReader: options.fileReader, uploadSize: data.length } : {}),
    onAfterResponse: (req, res) => {
      const sent = req.getHeader('Upload-Offset');
      const offset = res.getHeader('Upload-Offset');
      exchanges.push({
        method: req.getMethod(),
        url: req.getURL(),
        sentOffset: sent === undefined ? null : Number(sent),
        status: res.getStatus(),
        offset: offset === undefined ? null : Number(offset),
      });
    },
    onSuccess: () => resolve(),
    onError: (error) => reject(error),
  });
  upload.start();
  return {
    upload,
    exchanges,
    done,
    url: () => {
      if (!upload.url) throw new Error('the upload has no URL yet');
      return upload.url;
    },
  };
}

/**
 * A tus-js-client source over a buffer whose bytes stop at `gateAt` until `open()`: the request
 * stays under way, its bytes so far on the server, for as long as a test needs.
 */
export function gatedSource(
  data: Buffer,
  gateAt: number,
): { fileReader: NonNullable<tus.UploadOptions['fileReader']>; reached: Promise<void>; open(): void } {
  let opened!: () => void;
  const gate = new Promise<void>((resolve) => (opened = resolve));
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const PIECE = 64 * 1024;
  const fileReader = {
    openFile: () =>
      Promise.resolve({
        size: data.length,
        slice(start: number, end: number) {
          const stop = Math.min(end, data.length);
          async function* pieces() {
            for (let at = start; at < stop; at += PIECE) {
              if (at >= gateAt) {
                arrived();
                await gate;
              }
              yield data.subarray(at, Math.min(stop, at + PIECE));
            }
          }
          const stream = Object.assign(Readable.from(pieces()), { size: stop - start });
          return Promise.resolve({ value: stream, done: stop >= data.length, size: stop - start });
        },
        close() {},
      }),
  } as unknown as NonNullable<tus.UploadOptions['fileReader']>;
  return { fileReader, reached, open: () => opened() };
}

/** The tus headers of a raw request (fetch), signed in or not. */
export function tusHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'tus-resumable': '1.0.0', ...extra };
}

/** Upload-Metadata as tus encodes it: key, space, base64 value; pairs joined by commas. */
export function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

/** GET /uploads: the caller's unfinished uploads. */
export interface Listed {
  uploads: { id: string; path: string; offset: number; length: number; expiresAt: number }[];
}

/** A raw tus request (fetch), to see statuses and bodies exactly as a client does. */
export async function tusRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, { method, headers: tusHeaders(headers), body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** POST /api/tus/ with an Upload-Length and metadata. */
export function create(client: ApiClient, length: number, metadata: Record<string, string>) {
  return tusRequest(`${client.baseUrl}/api/tus/`, 'POST', {
    ...client.headers(),
    'upload-length': String(length),
    'upload-metadata': encodeMetadata(metadata),
  });
}

/** The absolute URL of a created upload. */
export function locationOf(client: ApiClient, created: { headers: Headers }): string {
  const location = created.headers.get('location');
  assert.ok(location, 'a created upload has a Location');
  return new URL(location, `${client.baseUrl}/`).toString();
}

/** A HEAD on an upload, signed in as `client`: its Upload-Offset says where to go on from. */
export function headUpload(url: string, client: ApiClient): Promise<Response> {
  return fetch(url, { method: 'HEAD', headers: tusHeaders(client.headers()) });
}
