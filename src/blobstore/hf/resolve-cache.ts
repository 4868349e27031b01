import { BlobNotFoundError } from '../errors.js';
import { authorization, hubError, repoUrl, type HubContext } from './hub-context.js';

/** How long a redirect target is trusted when the URL does not say. */
const DEFAULT_TTL_MS = 5 * 60_000;
/** Re-resolve this long before the target says it expires. */
const MARGIN_MS = 30_000;

export interface Target {
  url: string;
  /** The file's size, from the Hub's X-Linked-Size (or Content-Length). */
  size: number;
  expiresAt: number;
}

/**
 * Resolves a file to the storage URL the Hub redirects to, and keeps that URL until it expires, so
 * that the many ranged reads of one pack (video seeking, read-ahead) cost one Hub call, not one each.
 */
export class ResolveCache {
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly context: HubContext,
    private readonly capacity = 1024,
  ) {}

  async target(path: string): Promise<Target> {
    const cached = this.targets.get(path);
    if (cached && cached.expiresAt > Date.now()) return cached;
    const url = `${repoUrl(this.context)}/resolve/${encodeURIComponent(this.context.revision)}/${path}`;
    const response = await this.context.fetch(url, {
      method: 'HEAD',
      redirect: 'manual',
      headers: authorization(this.context),
    });
    if (response.status === 404) throw new BlobNotFoundError(path);
    const location = response.headers.get('location');
    const size = Number(
      response.headers.get('x-linked-size') ?? response.headers.get('content-length') ?? NaN,
    );
    let target: Target;
    if (response.status >= 300 && response.status < 400 && location) {
      const resolved = new URL(location, url);
      target = { url: resolved.href, size, expiresAt: expiry(resolved) };
    } else if (response.ok) {
      // A small regular file is served by the Hub itself, with the token.
      target = { url, size, expiresAt: Date.now() + DEFAULT_TTL_MS };
    } else {
      throw await hubError(response, `resolving ${path}`);
    }
    if (this.targets.size >= this.capacity) this.targets.delete(this.targets.keys().next().value!);
    this.targets.set(path, target);
    return target;
  }

  /** Whether a target URL is the Hub itself (needs the token) rather than signed storage. */
  isHub(url: string): boolean {
    return new URL(url).origin === new URL(this.context.hubUrl).origin && url.includes('/resolve/');
  }

  forget(path: string): void {
    this.targets.delete(path);
  }
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
