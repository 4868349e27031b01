import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  apiUrl,
  authorization,
  hubError,
  HubResponseError,
  repoUrl,
  type HubContext,
} from './hub-context.js';
import { withRetries } from './hub-fetch.js';

const LFS_JSON = 'application/vnd.git-lfs+json';
/** Part uploads in flight at once (the official client uses 5). */
const PART_CONCURRENCY = 4;

/** The bytes of an object to upload: any range can be read again, for each attempt and each part. */
export interface UploadBody {
  size: number;
  range(start: number, end: number): ReadableStream<Uint8Array>;
}

/**
 * A file, read in 1 MiB pieces. (A Blob from openAsBlob reads in small pieces: fetch then spends
 * about twice the CPU and sends at half the speed.)
 */
export function fileBody(path: string, size: number): UploadBody {
  return {
    size,
    range: (start, end) =>
      end <= start
        ? new Blob([]).stream()
        : (Readable.toWeb(
            createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 }),
          ) as WebReadableStream<Uint8Array> as ReadableStream<Uint8Array>),
  };
}

export function bufferBody(data: Buffer): UploadBody {
  return { size: data.length, range: (start, end) => new Blob([data.subarray(start, end)]).stream() };
}

export async function readRange(body: UploadBody, start: number, end: number): Promise<Buffer> {
  return Buffer.from(await new Response(body.range(start, end)).arrayBuffer());
}

/** PUTs bytes [start, end) of `body` to a signed URL, a fresh stream for every attempt. */
function putRange(context: HubContext, url: string, body: UploadBody, start: number, end: number) {
  return withRetries(
    () =>
      fetch(url, {
        method: 'PUT',
        body: body.range(start, end),
        duplex: 'half',
        // Storage takes no chunked uploads: the length is sent up front.
        headers: { 'Content-Length': String(end - start) },
        // A streamed body cannot follow a redirect anyway, and Node 20's fetch keeps a copy of the
        // whole body for one unless redirects are refused (256 MiB held for a 256 MiB part).
        redirect: 'error',
      }),
    { logger: context.logger, url },
  );
}

interface BatchObject {
  oid: string;
  size: number;
  actions?: { upload?: { href: string; header?: Record<string, string> } };
  error?: { code: number; message: string };
}

/**
 * Asks the Hub how a file should be committed: "lfs" (uploaded now as an LFS object) or
 * "regular" (sent inline, base64, in the commit). `sample` is the file's first 512 bytes.
 */
export async function preuploadMode(
  context: HubContext,
  file: { path: string; size: number; sample: Buffer },
): Promise<'lfs' | 'regular'> {
  if (file.size === 0) return 'regular';
  const response = await context.fetch(apiUrl(context, `preupload/${encodeURIComponent(context.revision)}`), {
    method: 'POST',
    headers: { ...authorization(context), 'Content-Type': 'application/json' },
    body: JSON.stringify({
      files: [{ path: file.path, size: file.size, sample: file.sample.toString('base64') }],
    }),
  });
  if (!response.ok) throw await hubError(response, `preupload of ${file.path}`);
  const json = (await response.json()) as { files: { path: string; uploadMode: string }[] };
  return json.files.find((f) => f.path === file.path)?.uploadMode === 'lfs' ? 'lfs' : 'regular';
}

/**
 * Uploads one object to the repo's LFS storage now; a later commit references it by oid. An object
 * the Hub already holds is not sent again. Large objects go up in parts (the Hub's "multipart"
 * transfer: one signed URL per part, each answering an ETag, then a completion call).
 */
export async function uploadLfsObject(
  context: HubContext,
  object: { oid: string; size: number; body: UploadBody },
): Promise<void> {
  const response = await context.fetch(`${repoUrl(context)}.git/info/lfs/objects/batch`, {
    method: 'POST',
    headers: { ...authorization(context), Accept: LFS_JSON, 'Content-Type': LFS_JSON },
    body: JSON.stringify({
      operation: 'upload',
      // No "xet": this store speaks plain LFS.
      transfers: ['basic', 'multipart'],
      hash_algo: 'sha_256',
      ref: { name: context.revision },
      objects: [{ oid: object.oid, size: object.size }],
    }),
  });
  if (!response.ok) throw await hubError(response, `LFS batch for ${object.oid}`);
  const json = (await response.json()) as { objects: BatchObject[] };
  const entry = json.objects.find((o) => o.oid === object.oid);
  if (!entry) throw new HubResponseError(502, `LFS batch: the Hub's answer does not list ${object.oid}`);
  if (entry.error) {
    throw new HubResponseError(entry.error.code, `LFS object ${object.oid}: ${entry.error.message}`);
  }
  const upload = entry.actions?.upload;
  if (!upload) return;
  if (upload.header?.chunk_size) await uploadParts(context, object, upload.href, upload.header);
  else await uploadWhole(context, object, upload.href);
}

async function uploadWhole(
  context: HubContext,
  object: { oid: string; body: UploadBody },
  href: string,
): Promise<void> {
  // The URL carries its own authorisation; the token is not sent to storage.
  const response = await putRange(context, href, object.body, 0, object.body.size);
  if (!response.ok) throw await hubError(response, `upload of ${object.oid}`);
  await response.body?.cancel();
}

async function uploadParts(
  context: HubContext,
  object: { oid: string; size: number; body: UploadBody },
  completionUrl: string,
  header: Record<string, string>,
): Promise<void> {
  const chunkSize = Number.parseInt(header.chunk_size!, 10);
  const parts = Object.keys(header)
    .filter((key) => /^\d+$/.test(key))
    .sort((a, b) => Number(a) - Number(b));
  if (!(chunkSize > 0) || parts.length !== Math.ceil(object.size / chunkSize)) {
    throw new HubResponseError(
      502,
      `multipart upload of ${object.oid}: the Hub gave the wrong number of parts`,
    );
  }
  const etags: string[] = new Array<string>(parts.length);
  let next = 0;
  const worker = async () => {
    while (next < parts.length) {
      const index = next++;
      const part = parts[index]!;
      const start = index * chunkSize;
      const end = Math.min(object.size, start + chunkSize);
      const response = await putRange(context, header[part]!, object.body, start, end);
      if (!response.ok) throw await hubError(response, `part ${part} of ${object.oid}`);
      const etag = response.headers.get('etag');
      await response.body?.cancel();
      if (!etag) throw new HubResponseError(502, `part ${part} of ${object.oid}: the Hub sent no ETag`);
      etags[index] = etag;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, parts.length) }, worker));
  const response = await context.fetch(completionUrl, {
    method: 'POST',
    headers: { Accept: LFS_JSON, 'Content-Type': LFS_JSON },
    body: JSON.stringify({
      oid: object.oid,
      parts: parts.map((part, i) => ({ partNumber: Number(part), etag: etags[i] })),
    }),
  });
  if (!response.ok) throw await hubError(response, `completing the upload of ${object.oid}`);
  await response.body?.cancel();
}
