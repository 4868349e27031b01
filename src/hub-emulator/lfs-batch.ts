import { z } from 'zod';
import { readableRepo, writableRepo } from './access.js';
import type { Handler } from './context.js';
import { HubError, badRequest, revisionNotFound } from './hub-error.js';
import { basicUploadUrl, cdnUrl, completionUrl, partUploadUrl, type SignedUrl } from './lfs-urls.js';
import { jsonReply } from './reply.js';
import { readJson } from './request-body.js';

const MAX_OBJECTS = 1000;
/** S3 allows at most 10,000 parts: a larger object gets larger parts. */
const MAX_PARTS = 10_000;

const batchBody = z.object({
  operation: z.enum(['upload', 'download']),
  transfers: z.array(z.string()).optional(),
  hash_algo: z.string().optional(),
  ref: z.object({ name: z.string() }).nullable().optional(),
  objects: z.array(z.object({ oid: z.string(), size: z.number() })),
});

function action(url: SignedUrl, now: number, header?: Record<string, string>) {
  return {
    href: url.href,
    ...(header ? { header } : {}),
    expires_at: new Date(url.expiresAt).toISOString(),
    expires_in: Math.floor((url.expiresAt - now) / 1000),
  };
}

/**
 * `POST /datasets/{repo}.git/info/lfs/objects/batch` (Git LFS batch API). An object already stored
 * gets no `actions.upload`; one larger than the multipart threshold gets part URLs and a completion
 * URL (when the client offers "multipart"); "xet" is never offered. An object larger than the
 * maximum file size gets an error (422) and the client stops.
 */
export const lfsBatch: Handler = async ({ hub, params, identity, req, origin }) => {
  const name = params[0] ?? '';
  const body = await readJson(req, batchBody);
  const upload = body.operation === 'upload';
  const repo = upload ? writableRepo(hub.repos, name, identity) : readableRepo(hub.repos, name, identity);
  if (body.hash_algo !== undefined && body.hash_algo !== 'sha256' && body.hash_algo !== 'sha_256') {
    // The Git LFS spec answers 409 to a hash algorithm the server does not use.
    throw new HubError(409, `Unsupported hash algorithm: ${body.hash_algo}`);
  }
  if (body.ref && !repo.head(body.ref.name.replace(/^refs\/heads\//, ''))) {
    throw revisionNotFound(body.ref.name);
  }
  if (body.objects.length > MAX_OBJECTS) {
    throw badRequest(`Too many objects in one batch (at most ${MAX_OBJECTS})`);
  }
  const transfers = body.transfers ?? ['basic'];
  if (upload && !transfers.includes('basic') && !transfers.includes('multipart')) {
    throw new HubError(422, 'The emulator offers the "basic" and "multipart" transfers only');
  }
  const now = hub.now();
  const { limits } = hub;
  let multipart = false;
  const objects = body.objects.map(({ oid, size }) => {
    const fail = (code: number, message: string) => ({ oid, size, error: { code, message } });
    if (!/^[0-9a-f]{64}$/.test(oid)) return fail(422, 'Invalid oid: expected a lowercase SHA-256 in hex');
    if (!Number.isSafeInteger(size) || size < 0) return fail(422, 'Invalid size');
    const stored = repo.objects.lfsObject(oid);
    if (!upload) {
      if (!stored) return fail(404, 'Object does not exist');
      return {
        oid,
        size: stored.size,
        authenticated: true,
        actions: { download: action(cdnUrl(hub, origin, repo.name, oid), now) },
      };
    }
    if (size > limits.maxFileSize) {
      return fail(422, `File too large: ${size} bytes, the maximum file size is ${limits.maxFileSize} bytes`);
    }
    if (stored) {
      if (stored.size !== size) return fail(422, `Size mismatch: the stored object has ${stored.size} bytes`);
      return { oid, size, authenticated: true };
    }
    if (transfers.includes('multipart') && size > limits.multipartThreshold) {
      multipart = true;
      const chunk = Math.max(limits.multipartChunkSize, Math.ceil(size / MAX_PARTS));
      const target = { repo: repo.name, sha: oid, size, chunk };
      const header: Record<string, string> = { chunk_size: String(chunk) };
      for (let part = 1; part <= Math.ceil(size / chunk); part++) {
        header[String(part)] = partUploadUrl(hub, origin, target, part).href;
      }
      return {
        oid,
        size,
        authenticated: true,
        actions: { upload: action(completionUrl(hub, origin, target), now, header) },
      };
    }
    return {
      oid,
      size,
      authenticated: true,
      actions: { upload: action(basicUploadUrl(hub, origin, repo.name, oid, size), now) },
    };
  });
  const reply = jsonReply({ transfer: multipart ? 'multipart' : 'basic', objects, hash_algo: 'sha256' });
  reply.headers['Content-Type'] = 'application/vnd.git-lfs+json';
  return reply;
};
