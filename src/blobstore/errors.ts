import { DomainError, RangeNotSatisfiableError, StoreUnavailableError } from '../errors/domain-error.js';

export class BlobNotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'BLOB_NOT_FOUND';
  constructor(readonly key: string) {
    super(`object not found in the store: ${key}`);
  }
}

export class InvalidBlobKeyError extends DomainError {
  readonly status = 400;
  readonly code = 'INVALID_BLOB_KEY';
  constructor(readonly key: string) {
    super(`invalid object key: ${JSON.stringify(key)}`);
  }
}

export class BlobTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'BLOB_TOO_LARGE';
}

export { RangeNotSatisfiableError, StoreUnavailableError };

/**
 * The store refused a commit for good (the Hub answers 4xx, say because an uploaded object expired
 * before it was referenced). The puts it carried are no longer staged: whoever made them puts them
 * again. Its deletes are dropped too; a delete that never happens only leaves garbage for gc.
 */
export class CommitRejectedError extends DomainError {
  readonly status = 503;
  readonly code = 'COMMIT_REJECTED';
}
