import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * URLs that carry their own authorisation, like the Hub's presigned S3 and CDN URLs: an HMAC with
 * the emulator's secret over what the URL allows and until when (`Expires`, Unix seconds).
 */
export class UrlSigner {
  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number,
    private readonly ttlSeconds: number,
  ) {}

  private mac(scope: readonly string[], expires: number): string {
    return createHmac('sha256', this.secret)
      .update(JSON.stringify([...scope, expires]))
      .digest('base64url');
  }

  /** Query parameters that authorise `scope` until the TTL ends. */
  sign(scope: readonly string[]): { Expires: string; Signature: string; expiresAt: number } {
    const expires = Math.floor(this.now() / 1000) + this.ttlSeconds;
    return { Expires: String(expires), Signature: this.mac(scope, expires), expiresAt: expires * 1000 };
  }

  verify(scope: readonly string[], query: URLSearchParams): 'ok' | 'expired' | 'invalid' {
    const expires = Number(query.get('Expires'));
    const signature = Buffer.from(query.get('Signature') ?? '');
    if (!Number.isSafeInteger(expires)) return 'invalid';
    const expected = Buffer.from(this.mac(scope, expires));
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return 'invalid';
    return expires * 1000 < this.now() ? 'expired' : 'ok';
  }
}
