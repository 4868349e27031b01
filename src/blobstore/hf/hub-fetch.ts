import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../observability/logger.js';
import { backoff, DEFAULT_RETRY, hintedDelay, isRetryableStatus, type RetryPolicy } from './retry-policy.js';

export interface HubFetchOptions {
  policy?: RetryPolicy;
  logger: Logger;
  /** Aborts waits between attempts (shutdown). */
  signal?: AbortSignal;
}

/**
 * A `fetch` that retries what the Hub says can be retried (429, 5xx) and what the network breaks,
 * waiting as the Hub asks. Handed to @huggingface/hub calls as their `fetch`, so they get the same
 * treatment. Bodies must be re-sendable (strings, buffers, blobs); a stream body is sent once.
 */
export function createHubFetch(options: HubFetchOptions): typeof fetch {
  return (input, init) =>
    withRetries(() => fetch(input, init), {
      ...options,
      url: describe(input),
      once: init?.body instanceof ReadableStream,
      aborted: () => init?.signal?.aborted === true,
    });
}

/**
 * Sends a request that `send` makes afresh for each attempt (so that a stream body can be sent
 * again), retrying as `createHubFetch` does. `once`: a single attempt.
 */
export async function withRetries(
  send: () => Promise<Response>,
  options: HubFetchOptions & { url: string; once?: boolean; aborted?: () => boolean },
): Promise<Response> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const url = options.url.split('?')[0]!;
  for (let attempt = 0; ; attempt++) {
    const last = attempt + 1 >= policy.attempts || options.once === true;
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      if (last || options.aborted?.()) throw error;
      const wait = backoff(policy, attempt, null);
      options.logger.warn({ url, attempt, waitMs: wait, err: error }, 'Hub request failed; retrying');
      await sleep(wait, undefined, { signal: options.signal });
      continue;
    }
    if (!isRetryableStatus(response.status) || last) return response;
    const wait = backoff(policy, attempt, hintedDelay(response));
    await response.body?.cancel().catch(() => undefined);
    options.logger.warn(
      { url, status: response.status, attempt, waitMs: wait },
      'Hub answered with a retryable status; retrying',
    );
    await sleep(wait, undefined, { signal: options.signal });
  }
}

/** The URL without its query (signed URLs carry credentials there). */
function describe(input: Parameters<typeof fetch>[0]): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return url.split('?')[0]!;
}
