/**
 * The base of every error the application raises on purpose. Each carries the HTTP status it maps to
 * and a stable machine-readable code; the HTTP and WebDAV edges turn it into a response in one place.
 * The message is written for the user and is safe to send to a client.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class BadRequestError extends DomainError {
  readonly status = 400;
  readonly code: string;
  constructor(message: string, code = 'BAD_REQUEST') {
    super(message);
    this.code = code;
  }
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code: string;
  constructor(message: string, code = 'UNAUTHORIZED') {
    super(message);
    this.code = code;
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code: string;
  constructor(message: string, code = 'FORBIDDEN') {
    super(message);
    this.code = code;
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'NOT_FOUND';
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code: string;
  constructor(message: string, code = 'CONFLICT') {
    super(message);
    this.code = code;
  }
}

/** It existed and will not come back: an expired or used-up share link. */
export class GoneError extends DomainError {
  readonly status = 410;
  readonly code: string;
  constructor(message: string, code = 'GONE') {
    super(message);
    this.code = code;
  }
}

export class PreconditionFailedError extends DomainError {
  readonly status = 412;
  readonly code = 'PRECONDITION_FAILED';
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code: string;
  constructor(message: string, code = 'PAYLOAD_TOO_LARGE') {
    super(message);
    this.code = code;
  }
}

/** The file's type is not one this operation handles (a thumbnail of a PDF, say). */
export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code: string;
  constructor(message: string, code = 'UNSUPPORTED_MEDIA_TYPE') {
    super(message);
    this.code = code;
  }
}

/** Well-formed, but this operation cannot process it (an image too large to decode, say). */
export class UnprocessableError extends DomainError {
  readonly status = 422;
  readonly code: string;
  constructor(message: string, code = 'UNPROCESSABLE') {
    super(message);
    this.code = code;
  }
}

export class RangeNotSatisfiableError extends DomainError {
  readonly status = 416;
  readonly code = 'RANGE_NOT_SATISFIABLE';
  constructor(
    message: string,
    readonly size: number,
  ) {
    super(message);
  }
}

export class TooManyRequestsError extends DomainError {
  readonly status = 429;
  readonly code = 'TOO_MANY_REQUESTS';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Stored bytes did not match their content id: corruption, never served as data. */
export class IntegrityError extends DomainError {
  readonly status = 500;
  readonly code = 'INTEGRITY_ERROR';
  /** For the log only: which chunk or pack, which the client is not told. */
  readonly detail: string | undefined;
  constructor(message: string, options: { detail?: string } = {}) {
    super(message);
    this.detail = options.detail;
  }
}

/** A backing service (the blob store) failed or is unreachable. */
export class StoreUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'STORE_UNAVAILABLE';
}
