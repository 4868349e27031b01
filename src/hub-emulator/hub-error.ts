/** The `X-Error-Code` values the Hub sends and the client reads. */
export type HubErrorCode = 'RepoNotFound' | 'RevisionNotFound' | 'EntryNotFound';

/** An error answered to the client as the Hub does: a status, `{"error": message}`, maybe `X-Error-Code`. */
export class HubError extends Error {
  readonly status: number;
  readonly code: HubErrorCode | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    message: string,
    options: { code?: HubErrorCode; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HubError';
    this.status = status;
    this.code = options.code;
    this.headers = options.headers ?? {};
  }
}

export function repoNotFound(status: 401 | 404 = 404): HubError {
  // The Hub says the same for a missing repo and for one the caller may not see.
  return new HubError(status, 'Repository not found', { code: 'RepoNotFound' });
}

export function revisionNotFound(revision: string): HubError {
  return new HubError(404, `Invalid rev id: ${revision}`, { code: 'RevisionNotFound' });
}

export function entryNotFound(path: string): HubError {
  return new HubError(404, `Entry not found: ${path}`, { code: 'EntryNotFound' });
}

export function badRequest(message: string): HubError {
  return new HubError(400, message);
}
