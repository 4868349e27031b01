import { DomainError } from '../errors/domain-error.js';

/**
 * The extra copy of the metadata snapshots (WEBDAV_URL) could not be made, listed or read. The
 * message names the cause for an operator and never holds the password or an Authorization header.
 */
export class BackupError extends DomainError {
  readonly status = 502;
  readonly code = 'BACKUP_FAILED';
  /** The WebDAV server's HTTP status, when it answered. */
  readonly remoteStatus: number | null;

  constructor(message: string, options: { remoteStatus?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.remoteStatus = options.remoteStatus ?? null;
  }
}
