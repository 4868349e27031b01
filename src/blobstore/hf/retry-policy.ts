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

/**
 * The delay a response asks for, in ms, or null when it names none. RateLimit's reset time only
 * says when the window ends; it is a reason to wait only on a 429 or when nothing is left (r=0),
 * not on a 503 with calls to spare. Given headers alone (no status), only r=0 counts.
 */
export function hintedDelay(
  source: Headers | { headers: Headers; status: number },
  now = Date.now(),
): number | null {
  const headers = source instanceof Headers ? source : source.headers;
  const status = source instanceof Headers ? null : source.status;
  const retryAfter = retryAfterDelay(headers.get('retry-after'), now);
  if (retryAfter !== null) return retryAfter;
  const rateLimit = headers.get('ratelimit');
  if (!rateLimit) return null;
  const reset = rateLimitParam(rateLimit, 't');
  if (reset === null) return null;
  return status === 429 || rateLimitParam(rateLimit, 'r') === 0 ? reset * 1000 : null;
}

/** `Retry-After` in ms: delta-seconds or an HTTP date, never below 0; anything else is no hint. */
function retryAfterDelay(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Math.max(0, Number(text) * 1000);
  // Only a date with letters in it: Date.parse takes bare numbers and odd strings as dates too.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** A whole-number parameter (`r`, `t`) of a RateLimit header, or null. */
function rateLimitParam(header: string, name: string): number | null {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(\\d+)\\s*(?:;|$)`).exec(header);
  return match ? Number(match[1]) : null;
}

/** Exponential back-off with full jitter, bounded; a hint from the server is taken as given. */
export function backoff(policy: RetryPolicy, attempt: number, hint: number | null): number {
  if (hint !== null && Number.isFinite(hint)) return Math.min(Math.max(0, hint), policy.maxDelayMs * 10);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
