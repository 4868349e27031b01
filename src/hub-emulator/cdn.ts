import { contentReply } from './content-reply.js';
import type { Handler } from './context.js';
import { HubError } from './hub-error.js';
import { lfsScopes } from './lfs-urls.js';

/**
 * `GET|HEAD /__cdn/{repo}/{sha}`: the CDN behind resolve. The URL's signature authorises it (any
 * Authorization header is ignored); it honours `Range` and answers `ETag: "<sha256>"`.
 */
export const cdnObject: Handler = async ({ hub, params, url, req }) => {
  const [name = '', sha = ''] = params;
  const verdict = hub.signer.verify(lfsScopes.cdn(name, sha), url.searchParams);
  if (verdict === 'invalid') throw new HubError(403, 'Access denied: bad signature');
  if (verdict === 'expired') throw new HubError(403, 'Access denied: the URL has expired');
  const stored = hub.repos.get(name)?.objects.lfsObject(sha);
  if (!stored) throw new HubError(404, 'The object does not exist (it may have been deleted)');
  const source = { path: hub.repos.get(name)!.objects.lfsPath(sha) };
  return contentReply(req, { size: stored.size, etag: `"${sha}"`, source });
};
