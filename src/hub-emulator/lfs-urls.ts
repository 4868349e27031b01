import type { Hub } from './hub.js';

/**
 * The URLs the emulator hands out for LFS bytes. Each is signed over what it allows (see
 * `UrlSigner`), so it works without an Authorization header, as the Hub's S3 and CDN URLs do.
 */
export const lfsScopes = {
  upload: (repo: string, sha: string, size: number) => ['upload', repo, sha, String(size)],
  part: (repo: string, sha: string, size: number, chunk: number, part: number) => [
    'part',
    repo,
    sha,
    String(size),
    String(chunk),
    String(part),
  ],
  complete: (repo: string, sha: string, size: number, chunk: number) => [
    'complete',
    repo,
    sha,
    String(size),
    String(chunk),
  ],
  cdn: (repo: string, sha: string) => ['cdn', repo, sha],
};

export interface SignedUrl {
  href: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

function signedUrl(
  hub: Hub,
  origin: string,
  path: string,
  scope: string[],
  query: Record<string, string>,
): SignedUrl {
  const { Expires, Signature, expiresAt } = hub.signer.sign(scope);
  const url = new URL(path, origin);
  for (const [key, value] of Object.entries({ ...query, Expires, Signature }))
    url.searchParams.set(key, value);
  return { href: url.href, expiresAt };
}

export function basicUploadUrl(hub: Hub, origin: string, repo: string, sha: string, size: number): SignedUrl {
  return signedUrl(hub, origin, `/__lfs/upload/${repo}/${sha}`, lfsScopes.upload(repo, sha, size), {
    size: String(size),
  });
}

export function partUploadUrl(
  hub: Hub,
  origin: string,
  target: { repo: string; sha: string; size: number; chunk: number },
  part: number,
): SignedUrl {
  const { repo, sha, size, chunk } = target;
  return signedUrl(
    hub,
    origin,
    `/__lfs/part/${repo}/${sha}/${part}`,
    lfsScopes.part(repo, sha, size, chunk, part),
    {
      size: String(size),
      chunk: String(chunk),
    },
  );
}

export function completionUrl(
  hub: Hub,
  origin: string,
  target: { repo: string; sha: string; size: number; chunk: number },
): SignedUrl {
  const { repo, sha, size, chunk } = target;
  return signedUrl(
    hub,
    origin,
    `/__lfs/complete/${repo}/${sha}`,
    lfsScopes.complete(repo, sha, size, chunk),
    {
      size: String(size),
      chunk: String(chunk),
    },
  );
}

/** Where resolve redirects an LFS file: a CDN-like URL served by the emulator itself. */
export function cdnUrl(hub: Hub, origin: string, repo: string, sha: string): SignedUrl {
  return signedUrl(hub, origin, `/__cdn/${repo}/${sha}`, lfsScopes.cdn(repo, sha), {});
}
