import type { ByteRange } from '../blob-store.js';
import { BlobNotFoundError } from '../errors.js';
import { authorization, hubError, HubResponseError, repoUrl, type HubContext } from './hub-context.js';

/** How long a redirect target is trusted when the URL does not say. */
const DEFAULT_TTL_MS = 5 * 60_000;
/** Re-resolve this long before the target says it expires. */
const MARGIN_MS = 30_000;
/** Same-origin redirects followed before giving up (the Hub uses one: resolve → resolve-cache). */
const MAX_HUB_HOPS = 4;
/**
 * Byte ranges must be of the stored object: a compressed answer would make offsets and lengths
 * (Content-Length, Content-Range) those of the compressed form.
 */
const IDENTITY = { 'Accept-Encoding': 'identity' } as const;

export interface Target {
  url: string;
  /** The file's size, from the Hub's X-Linked-Size (or Content-Length). */
  size: number;
  expiresAt: number;
}

/**
 * Resolves a file to the storage URL the Hub redirects to, and keeps that URL until it expires, so
 * that the many ranged reads of one pack (video seeking, read-ahead) cost one Hub call, not one each.
 * Concurrent resolves of one path share one request.
 */
export class ResolveCache {
  private readonly targets = new Map<string, Target>();
  private readonly inFlight = new Map<string, Promise<Target>>();

  constructor(
    private readonly context: HubContext,
    private readonly capacity = 1024,
  ) {}

  target(path: string): Promise<Target> {
    const cached = this.targets.get(path);
    if (cached && cached.expiresAt > Date.now()) return Promise.resolve(cached);
    const pending = this.inFlight.get(path);
    if (pending) return pending;
    const resolving: Promise<Target> = this.resolve(path)
      .then((target) => {
        // A forget() meanwhile (the path was just committed) makes this answer stale: not cached.
        if (this.inFlight.get(path) === resolving) this.remember(path, target);
        return target;
      })
      .finally(() => {
        if (this.inFlight.get(path) === resolving) this.inFlight.delete(path);
      });
    this.inFlight.set(path, resolving);
    return resolving;
  }

  /** Whether a target URL is the Hub itself (needs the token) rather than signed storage. */
  isHub(url: string): boolean {
    const parsed = new URL(url);
    if (parsed.origin !== new URL(this.context.hubUrl).origin) return false;
    return parsed.pathname.includes('/resolve/') || parsed.pathname.startsWith('/api/resolve-cache/');
  }

  /** The headers of a read of a target: the token only for the Hub itself, and raw bytes. */
  readHeaders(url: string, range?: ByteRange): Record<string, string> {
    return {
      ...(this.isHub(url) ? authorization(this.context) : {}),
      ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      ...IDENTITY,
    };
  }

  forget(path: string): void {
    this.targets.delete(path);
    this.inFlight.delete(path);
  }

  private remember(path: string, target: Target): void {
    this.targets.delete(path);
    if (this.targets.size >= this.capacity) this.targets.delete(this.targets.keys().next().value!);
    this.targets.set(path, target);
  }

  /**
   * HEADs the resolve URL. A redirect to another origin is signed storage: the target. A relative
   * one (the Hub sends regular files to /api/resolve-cache/…) is the Hub again and is followed, with
   * the token.
   */
  private async resolve(path: string): Promise<Target> {
    let url = `${repoUrl(this.context)}/resolve/${encodeURIComponent(this.context.revision)}/${path}`;
    let linkedSize: string | null = null;
    for (let hop = 0; ; hop++) {
      const response = await this.context.fetch(url, {
        method: 'HEAD',
        redirect: 'manual',
        headers: { ...authorization(this.context), ...IDENTITY },
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status === 404) throw this.notFound(response, path);
      linkedSize ??= response.headers.get('x-linked-size');
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        const next = new URL(location, url);
        if (isRelative(location) && next.origin === new URL(url).origin) {
          if (hop + 1 >= MAX_HUB_HOPS) {
            throw new HubResponseError(502, `resolving ${path}: the Hub redirected ${MAX_HUB_HOPS} times`);
          }
          url = next.href;
          continue;
        }
        return { url: next.href, size: Number(linkedSize ?? NaN), expiresAt: expiry(next) };
      }
      if (response.ok) {
        // A small regular file is served by the Hub itself, with the token.
        const size = Number(linkedSize ?? response.headers.get('content-length') ?? NaN);
        return { url, size, expiresAt: Date.now() + DEFAULT_TTL_MS };
      }
      throw await hubError(response, `resolving ${path}`);
    }
  }

  /** Only a missing file is a missing object; a missing repo or branch is the store failing. */
  private notFound(response: Response, path: string): Error {
    const code = response.headers.get('x-error-code');
    if (code === 'EntryNotFound') return new BlobNotFoundError(path);
    const what =
      code === 'RepoNotFound'
        ? `the dataset repo ${this.context.repo} was not found (it may have been deleted, or HF_TOKEN lost access to it)`
        : code === 'RevisionNotFound'
          ? `the branch ${this.context.revision} of ${this.context.repo} was not found`
          : `the Hub answered 404 without saying the file is missing (X-Error-Code: ${code ?? 'none'})`;
    return new HubResponseError(404, `resolving ${path}: ${what}`);
  }
}

/** A Location without a scheme or host (`/api/…`, not `https://…` or `//host/…`). */
function isRelative(location: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith('//');
}

/** When a signed URL stops working: S3-style X-Amz-Date + X-Amz-Expires, or `Expires`/`expires`. */
function expiry(url: URL): number {
  const params = url.searchParams;
  const amzDate = params.get('X-Amz-Date');
  const amzExpires = params.get('X-Amz-Expires');
  if (amzDate && amzExpires) {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (m) {
      const start = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
      return start + Number(amzExpires) * 1000 - MARGIN_MS;
    }
  }
  const expires = params.get('Expires') ?? params.get('expires');
  if (expires && /^\d+$/.test(expires)) return Number(expires) * 1000 - MARGIN_MS;
  return Date.now() + DEFAULT_TTL_MS;
}
