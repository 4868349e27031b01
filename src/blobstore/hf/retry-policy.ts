/**
 * When and how long to wait before retrying a call to the Hub: 429 and 5xx answers, and network
 * failures (resets, refused or dropped connections). The Hub's own hints win: `Retry-After` (seconds
 * or an HTTP date) and `RateLimit: "…";r=<left>;t=<seconds until reset>`.
 */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 60_000 };

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599);
}

/** The delay a response asks for, in ms, or null when it names none. */
export function hintedDelay(headers: Headers, now = Date.now()): number | null {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const rateLimit = headers.get('ratelimit');
  const reset = rateLimit ? /(?:^|;)\s*t=(\d+)/.exec(rateLimit) : null;
  if (reset) return Number(reset[1]) * 1000;
  return null;
}

/** Exponential back-off with full jitter, bounded; a hint from the server is taken as given. */
export function backoff(policy: RetryPolicy, attempt: number, hint: number | null): number {
  if (hint !== null) return Math.min(hint, policy.maxDelayMs * 10);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
