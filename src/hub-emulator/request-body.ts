import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { HubError, badRequest } from './hub-error.js';

/** Reads a whole request body, refusing more than `limit` bytes (413). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new HubError(413, `Request body too large (more than ${limit} bytes)`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) throw new HubError(413, `Request body too large (more than ${limit} bytes)`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The first problem zod found, said in one line. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
  return `${where}: ${issue.message}`;
}

/** Parses a JSON body against a schema; anything else is a 400 that says what is wrong. */
export async function readJson<T>(
  req: IncomingMessage,
  schema: z.ZodType<T>,
  limit = 16 * 1024 * 1024,
): Promise<T> {
  const body = await readBody(req, limit);
  let value: unknown;
  try {
    value = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(`Invalid request body: ${describeIssue(parsed.error)}`);
  return parsed.data;
}
