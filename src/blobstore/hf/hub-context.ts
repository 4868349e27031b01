import type { Logger } from '../../observability/logger.js';
import { StoreUnavailableError } from '../errors.js';

/** What every call to the Hub needs. */
export interface HubContext {
  hubUrl: string;
  /** "namespace/name" of the dataset repo. */
  repo: string;
  token: string;
  revision: string;
  /** Retries 429, 5xx and network failures; for calls that are safe to repeat. */
  fetch: typeof fetch;
  /** Sends once; for the commit, whose retries need a look at the branch head first. */
  fetchOnce: typeof fetch;
  logger: Logger;
}

/** A Hub answer the store cannot work with; the message carries the Hub's own words. */
export class HubResponseError extends StoreUnavailableError {
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

export async function hubError(response: Response, what: string): Promise<HubResponseError> {
  let detail = '';
  try {
    const text = await response.text();
    try {
      const json = JSON.parse(text) as { error?: string; message?: string };
      detail = json.error ?? json.message ?? text;
    } catch {
      detail = text;
    }
  } catch {
    // No body.
  }
  return new HubResponseError(
    response.status,
    `${what}: the Hub answered ${response.status}${detail ? ` (${detail.slice(0, 300)})` : ''}`,
  );
}

export function authorization(context: HubContext): Record<string, string> {
  return { Authorization: `Bearer ${context.token}` };
}

/** The repo's URL under the Hub, as the git and LFS endpoints name it. */
export function repoUrl(context: HubContext): string {
  return `${context.hubUrl}/datasets/${context.repo}`;
}

export function apiUrl(context: HubContext, rest: string): string {
  return `${context.hubUrl}/api/datasets/${context.repo}/${rest}`;
}
