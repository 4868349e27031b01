import { readableRepo } from './access.js';
import { contentReply } from './content-reply.js';
import type { Handler } from './context.js';
import { lfsPointer } from './git-objects.js';
import { entryNotFound, revisionNotFound } from './hub-error.js';
import { cdnUrl } from './lfs-urls.js';
import { emptyReply } from './reply.js';

/**
 * `GET|HEAD /datasets/{repo}/resolve/{rev}/{path}` (and `/raw/`). An LFS file answers 302 to a
 * signed CDN URL on the emulator, with `X-Linked-Size` and `X-Linked-Etag`; a regular file is
 * served here, with its git blob id as ETag (or, with `resolveCacheRedirects`, from a relative
 * redirect to `/api/resolve-cache/datasets/{repo}/{commit}/{path}`, which this handler serves too). `/raw/` serves an LFS file's pointer instead. Never
 * the Xet content type, so the client stays on plain HTTP.
 */
export const resolveFile: Handler = async ({ hub, params, identity, req, origin }) => {
  const [name = '', mode = 'resolve', revision = '', filePath = ''] = params;
  const repo = readableRepo(hub.repos, name, identity);
  const commit = await repo.resolve(revision);
  if (!commit) throw revisionNotFound(revision);
  const entry = commit.files.get(filePath);
  if (!entry) throw entryNotFound(filePath);
  const headers = { 'X-Repo-Commit': commit.id };
  if (!entry.lfs && mode === 'resolve' && hub.resolveCacheRedirects) {
    const cached = `/api/resolve-cache/datasets/${repo.name}/${commit.id}/${encodePath(filePath)}`;
    return emptyReply(307, { ...headers, Location: cached });
  }
  if (entry.lfs && mode !== 'raw') {
    return emptyReply(302, {
      ...headers,
      Location: cdnUrl(hub, origin, repo.name, entry.lfs.oid).href,
      'X-Linked-Size': String(entry.lfs.size),
      'X-Linked-Etag': `"${entry.lfs.oid}"`,
      ETag: `"${entry.oid}"`,
    });
  }
  if (entry.lfs) {
    const pointer = lfsPointer(entry.lfs.oid, entry.lfs.size);
    return contentReply(
      req,
      { size: pointer.length, etag: `"${entry.oid}"`, source: { bytes: pointer } },
      headers,
    );
  }
  const source = { path: repo.objects.blobPath(entry.oid) };
  return contentReply(req, { size: entry.size, etag: `"${entry.oid}"`, source }, headers);
};

/** `GET|HEAD /api/resolve-cache/datasets/{repo}/{commit}/{path}`: where regular files redirect to. */
export const resolveCached: Handler = (ctx) => {
  const [name = '', revision = '', filePath = ''] = ctx.params;
  return resolveFile({ ...ctx, params: [name, 'resolve-cache', revision, filePath] });
};

function encodePath(filePath: string): string {
  return filePath.split('/').map(encodeURIComponent).join('/');
}
