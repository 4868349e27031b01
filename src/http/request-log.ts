import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** A share link's token is its credential: the log names the route, never the token. */
function withoutShareToken(path: string): string {
  return path.replace(/\/api\/s\/[^/]*/, '/api/s/[token]');
}

/**
 * One log line per finished request, without the query string (it can carry file names); nothing
 * when a request starts. Errors keep Fastify's own error logging.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      path: withoutShareToken(request.url.split('?')[0]!),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      ip: request.ip,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request failed');
    else reply.log.info(line, 'request');
  }
}
