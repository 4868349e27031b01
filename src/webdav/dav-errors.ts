import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, UnauthorizedError } from '../errors/domain-error.js';
import { QuotaExceededError } from '../drive/quota.js';
import type { ErrorHandler } from '../http/error-handler.js';
import { escapeText, XML_DECLARATION } from './xml/xml-write.js';

/** A DAV: precondition or postcondition element (RFC 4918 §16) sent in the error body. */
export interface DavCondition {
  name: string;
  hrefs?: string[];
}

/** A WebDAV answer that has no HTTP API counterpart, optionally naming the condition that failed. */
export class DavError extends DomainError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly condition?: DavCondition,
  ) {
    super(message);
  }
}

export class LockedError extends DavError {
  constructor(message: string, condition?: DavCondition) {
    super(423, 'LOCKED', message, condition);
  }
}

export class InsufficientStorageError extends DavError {
  constructor(message: string) {
    super(507, 'INSUFFICIENT_STORAGE', message);
  }
}

export class MethodNotAllowedError extends DavError {
  constructor(message: string) {
    super(405, 'METHOD_NOT_ALLOWED', message);
  }
}

export class UnsupportedMediaTypeError extends DavError {
  constructor(message: string) {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', message);
  }
}

export class BadGatewayError extends DavError {
  constructor(message: string) {
    super(502, 'BAD_GATEWAY', message);
  }
}

export class DavForbiddenError extends DavError {
  constructor(message: string, condition?: DavCondition) {
    super(403, 'FORBIDDEN', message, condition);
  }
}

export class DavConflictError extends DavError {
  constructor(message: string, condition?: DavCondition) {
    super(409, 'CONFLICT', message, condition);
  }
}

export class DavPreconditionError extends DavError {
  constructor(message: string, condition?: DavCondition) {
    super(412, 'PRECONDITION_FAILED', message, condition);
  }
}

export const BASIC_CHALLENGE = 'Basic realm="hubdrive", charset="UTF-8"';

/**
 * The WebDAV mount's error responses, in one place: a full quota is 507 (RFC 4918 §9.7.1), a 401
 * carries the Basic challenge, and an error with a DAV: condition gets it as an XML body. The rest
 * is answered as everywhere else.
 */
export function davErrorHandler(fallback: ErrorHandler): ErrorHandler {
  return (error, request, reply) => {
    let mapped: Error = error;
    if (error instanceof QuotaExceededError) mapped = new InsufficientStorageError(error.message);
    if (mapped instanceof UnauthorizedError) reply.header('www-authenticate', BASIC_CHALLENGE);
    if (mapped instanceof DavError && mapped.condition && !reply.sent && !reply.raw.headersSent) {
      sendCondition(request, reply, mapped.status, mapped.condition);
      return;
    }
    fallback(mapped, request, reply);
  };
}

function sendCondition(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  condition: DavCondition,
) {
  if (!request.raw.complete) reply.header('connection', 'close');
  const hrefs = (condition.hrefs ?? []).map((href) => `<D:href>${escapeText(href)}</D:href>`).join('');
  const body = `${XML_DECLARATION}<D:error xmlns:D="DAV:"><D:${condition.name}>${hrefs}</D:${condition.name}></D:error>\n`;
  void reply.code(status).type('application/xml; charset=utf-8').send(body);
}
