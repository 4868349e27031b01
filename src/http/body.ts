import type { z } from 'zod';
import { BadRequestError } from '../errors/domain-error.js';

/** Validates a request body or query against a schema; the first problem becomes a 400 message. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new BadRequestError(`${where}${issue.message}`, 'INVALID_INPUT');
}
