import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { isNotFound, moveIntoPlace, tempPath } from './atomic-file.js';
import type { Handler, RequestContext } from './context.js';
import { HubError, badRequest, repoNotFound } from './hub-error.js';
import { lfsScopes } from './lfs-urls.js';
import { emptyReply, jsonReply } from './reply.js';
import type { Repository } from './repository.js';
import { readJson } from './request-body.js';

/** Checks a signed URL; S3 answers 403 to a bad or expired signature. */
function verify(ctx: RequestContext, scope: string[]): void {
  const verdict = ctx.hub.signer.verify(scope, ctx.url.searchParams);
  if (verdict === 'invalid') throw new HubError(403, 'The request signature does not match');
  if (verdict === 'expired') throw new HubError(403, 'Request has expired');
}

function repoOf(ctx: RequestContext, name: string): Repository {
  const repo = ctx.hub.repos.get(name);
  if (!repo) throw repoNotFound();
  return repo;
}

function numberParam(url: URL, key: string): number {
  const value = Number(url.searchParams.get(key));
  if (!Number.isSafeInteger(value) || value < 0) throw badRequest(`Invalid ${key}`);
  return value;
}

/**
 * Streams a request body into a fsync'd temp file, feeding `hashes`. More than `limit` bytes is
 * refused at once. The caller removes the file unless it moves it.
 */
async function receive(req: IncomingMessage, tmpDir: string, limit: number, hashes: Hash[]) {
  const file = tempPath(tmpDir);
  const handle = await fs.open(file, 'w');
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw badRequest(`Too many bytes: expected ${limit}`);
      for (const hash of hashes) hash.update(chunk);
      await handle.write(chunk);
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(file, { force: true });
    throw error;
  }
  await handle.close();
  return { file, size };
}

const quoted = (text: string) => `"${text}"`;
const unquoted = (etag: string) => etag.replace(/^W\//, '').replace(/^"|"$/g, '');

/** `PUT /__lfs/upload/{repo}/{sha}`: one LFS object in one request, checked against its oid and size. */
export const uploadObject: Handler = async (ctx) => {
  const [name = '', sha = ''] = ctx.params;
  const size = numberParam(ctx.url, 'size');
  verify(ctx, lfsScopes.upload(name, sha, size));
  const repo = repoOf(ctx, name);
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  const { file, size: received } = await receive(ctx.req, ctx.hub.tmpDir, size, [sha256, md5]);
  try {
    const digest = sha256.digest('hex');
    if (received !== size || digest !== sha) {
      throw badRequest(
        `The uploaded bytes (${received} bytes, sha256 ${digest}) do not match the object ${sha} of ${size} bytes`,
      );
    }
    if (!repo.objects.lfsObject(sha)) await repo.objects.adoptLfs(file, sha, size, ctx.hub.now());
  } finally {
    await fs.rm(file, { force: true });
  }
  return emptyReply(200, { ETag: quoted(md5.digest('hex')) });
};

function partCount(size: number, chunk: number): number {
  if (chunk < 1) throw badRequest('Invalid chunk size');
  return Math.ceil(size / chunk);
}

/** `PUT /__lfs/part/{repo}/{sha}/{n}`: one part of a multipart upload; answers its ETag (MD5, as S3). */
export const uploadPart: Handler = async (ctx) => {
  const [name = '', sha = '', partText = ''] = ctx.params;
  const size = numberParam(ctx.url, 'size');
  const chunk = numberParam(ctx.url, 'chunk');
  const part = Number(partText);
  verify(ctx, lfsScopes.part(name, sha, size, chunk, part));
  const repo = repoOf(ctx, name);
  const count = partCount(size, chunk);
  const expected = part < count ? chunk : size - chunk * (count - 1);
  const md5 = createHash('md5');
  const { file, size: received } = await receive(ctx.req, ctx.hub.tmpDir, expected, [md5]);
  try {
    if (received !== expected) throw badRequest(`Part ${part} must be ${expected} bytes, got ${received}`);
    await moveIntoPlace(file, path.join(repo.objects.partsDir(sha), String(part)));
  } finally {
    await fs.rm(file, { force: true });
  }
  return emptyReply(200, { ETag: quoted(md5.digest('hex')) });
};

const completionBody = z.object({
  oid: z.string(),
  parts: z.array(z.object({ partNumber: z.number().int(), etag: z.string() })),
});

/**
 * `POST /__lfs/complete/{repo}/{sha}`: joins the parts. Every part must be listed once with its
 * ETag, and the joined bytes must hash to the oid; otherwise 400, nothing is stored, and the parts
 * of a wrong object are dropped.
 */
export const completeUpload: Handler = async (ctx) => {
  const [name = '', sha = ''] = ctx.params;
  const size = numberParam(ctx.url, 'size');
  const chunk = numberParam(ctx.url, 'chunk');
  verify(ctx, lfsScopes.complete(name, sha, size, chunk));
  const repo = repoOf(ctx, name);
  const body = await readJson(ctx.req, completionBody);
  if (body.oid !== sha) throw badRequest(`oid ${body.oid} does not belong to this upload (${sha})`);
  const count = partCount(size, chunk);
  const etags = new Map(body.parts.map((p) => [p.partNumber, unquoted(p.etag)]));
  if (
    body.parts.length !== count ||
    etags.size !== count ||
    [...etags.keys()].some((n) => n < 1 || n > count)
  ) {
    throw badRequest(`List each of the ${count} parts once, numbered 1 to ${count}`);
  }
  if (repo.objects.lfsObject(sha)) return jsonReply({});
  const partsDir = repo.objects.partsDir(sha);
  const file = tempPath(ctx.hub.tmpDir);
  const handle = await fs.open(file, 'w');
  const sha256 = createHash('sha256');
  let joined = 0;
  try {
    for (let part = 1; part <= count; part++) {
      const md5 = createHash('md5');
      try {
        for await (const bytes of createReadStream(
          path.join(partsDir, String(part)),
        ) as AsyncIterable<Buffer>) {
          md5.update(bytes);
          sha256.update(bytes);
          joined += bytes.length;
          await handle.write(bytes);
        }
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // A concurrent completion of the same object may have just finished.
        if (repo.objects.lfsObject(sha)) return jsonReply({});
        throw badRequest(`Part ${part} was not uploaded`);
      }
      if (md5.digest('hex') !== etags.get(part)) throw badRequest(`The ETag of part ${part} does not match`);
    }
    const digest = sha256.digest('hex');
    if (joined !== size || digest !== sha) {
      await fs.rm(partsDir, { recursive: true, force: true });
      throw badRequest(
        `The joined parts (${joined} bytes, sha256 ${digest}) do not match the object ${sha} of ${size} bytes`,
      );
    }
    await handle.sync();
    await handle.close();
    await repo.objects.adoptLfs(file, sha, size, ctx.hub.now());
    await fs.rm(partsDir, { recursive: true, force: true });
    return jsonReply({});
  } finally {
    await handle.close().catch(() => undefined);
    await fs.rm(file, { force: true });
  }
};
