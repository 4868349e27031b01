import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * A share link's token is its credential: the log names the route, never the token, whether the
 * request is the API's (`BASE_PATH/api/s/…`) or the page a visitor opens (`BASE_PATH/s/…`),
 * percent-encoded or not.
 */
export function withoutShareToken(path: string, basePath = ''): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // not valid percent-encoding: redact what is there
  }
  if (!decoded.startsWith(`${basePath}/`)) return path;
  const rest = decoded.slice(basePath.length);
  const redacted = rest.replace(/^\/(api\/)?s\/[^/]*/, '/$1s/[token]');
  return redacted === rest ? path : basePath + redacted;
}

/**
 * One log line per finished request, without the query string (it can carry file names); nothing
 * when a request starts. Errors keep Fastify's own error logging.
 */
export class RequestLog extends LogController {
  constructor(private readonly basePath = '') {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      path: withoutShareToken(request.url.split('?')[0]!, this.basePath),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      ip: request.ip,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request failed');
    else reply.log.info(line, 'request');
  }
}
