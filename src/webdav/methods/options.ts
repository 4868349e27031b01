import type { FastifyReply } from 'fastify';

export const DAV_METHODS = [
  'OPTIONS',
  'GET',
  'HEAD',
  'PUT',
  'DELETE',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
] as const;

/** OPTIONS: class 1 and 2, the methods, and the header Microsoft's clients look for. */
export async function options(reply: FastifyReply): Promise<void> {
  await reply
    .code(200)
    .header('dav', '1, 2')
    .header('allow', DAV_METHODS.join(', '))
    .header('ms-author-via', 'DAV')
    .header('content-length', '0')
    .send();
}
