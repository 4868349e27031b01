import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendDecoyStatus } from './decoy.js';
import { DomainError, TooManyRequestsError, RangeNotSatisfiableError } from '../errors/domain-error.js';

export interface ErrorBody {
  error: { code: string; message: string };
}

/** Fastify's own client errors (bad JSON, body too large, …) keep their status with a plain message. */
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'the request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'this content type is not accepted here',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'the JSON body is empty',
  FST_ERR_CTP_INVALID_JSON_BODY: 'the body is not valid JSON',
  FST_ERR_BAD_URL: 'the URL is not valid',
};

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: string,
  message: string,
): void {
  // An upload refused before its body was read: close rather than read gigabytes to keep the socket.
  if (!request.raw.complete) reply.header('connection', 'close');
  reply.header('cache-control', 'no-store');
  void reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error: { code, message } } satisfies ErrorBody);
}

export type ErrorHandler = (
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) => void;

/**
 * The one place where errors become responses: a DomainError gives its status, code and message;
 * anything else is logged and answered with a bare 500, never with internals or a stack trace.
 * Outside BASE_PATH (`isDecoy`) an error is answered as the decoy static site would.
 *
 * Install it with setErrorHandler and also as Fastify's `frameworkErrors` option: errors Fastify
 * raises before routing (a URL that does not decode) would otherwise get Fastify's own shape.
 */
export function createErrorHandler(isDecoy: (url: string) => boolean): ErrorHandler {
  return (error, request, reply) => {
    // The client hung up (mid-upload, say): nobody is left to answer, and nothing went wrong here.
    if (request.raw.destroyed && !(error instanceof DomainError)) {
      request.log.info({ err: { message: error.message } }, 'the client went away');
      reply.raw.destroy();
      return;
    }
    if (reply.sent || reply.raw.headersSent) {
      request.log.error({ err: error }, 'error after the response started; closing the connection');
      reply.raw.destroy();
      return;
    }
    if (isDecoy(request.url)) {
      const status = statusOf(error);
      if (status >= 500) request.log.error({ err: error }, 'decoy site error');
      void sendDecoyStatus(reply, status);
      return;
    }
    answer(error, request, reply);
  };
}

/** The code of a framework's own 4xx (a plugin's refusal), so that it agrees with the status. */
const FRAMEWORK_CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

function statusOf(error: FastifyError | Error): number {
  if (error instanceof DomainError) return error.status;
  const status = (error as FastifyError).statusCode;
  return status !== undefined && status >= 400 && status < 600 ? status : 500;
}

function answer(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof DomainError) {
    if (error instanceof TooManyRequestsError) reply.header('retry-after', String(error.retryAfterSeconds));
    if (error instanceof RangeNotSatisfiableError) reply.header('content-range', `bytes */${error.size}`);
    // 502 (a WebDAV Destination elsewhere) and 507 (quota full) answer what a client asked for.
    if (error.status === 502 || error.status === 507) request.log.info({ code: error.code }, error.message);
    else if (error.status >= 500) request.log.error({ err: error }, error.message);
    send(reply, request, error.status, error.code, error.message);
    return;
  }
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const message = FRAMEWORK_MESSAGES[fastifyError.code] ?? 'the request is not valid';
    send(reply, request, status, FRAMEWORK_CODES[status] ?? 'BAD_REQUEST', message);
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  send(reply, request, 500, 'INTERNAL', 'internal error');
}
