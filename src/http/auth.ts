import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Session, SessionService } from '../drive/sessions.js';
import type { User } from '../drive/users.js';
import { ForbiddenError, UnauthorizedError } from '../errors/domain-error.js';

export const SESSION_COOKIE = 'hd_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface AuthContext {
  user: User;
  session: Session;
  token: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface CookieOptions {
  basePath: string;
  /** Forces the Secure flag on or off; by default it follows the request's protocol. */
  secure: boolean | undefined;
}

export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  options: CookieOptions,
  token: string,
  expiresAt: number,
): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure ?? request.protocol === 'https',
    path: options.basePath === '' ? '/' : options.basePath,
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply, options: CookieOptions): void {
  void reply.clearCookie(SESSION_COOKIE, { path: options.basePath === '' ? '/' : options.basePath });
}

/**
 * Resolves the session cookie into `request.auth`, demands it, and on every state-changing method
 * demands the session's CSRF token in the X-CSRF-Token header.
 */
export function requireUser(sessions: SessionService): preHandlerAsyncHookHandler {
  return async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    const session = token ? await sessions.resolve(token) : null;
    if (!token || !session) throw new UnauthorizedError('sign in first');
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
        throw new ForbiddenError('missing or wrong CSRF token', 'CSRF');
      }
    }
    request.auth = { user: session.user, session, token };
  };
}

export const requireAdmin: preHandlerAsyncHookHandler = async (request) => {
  if (request.auth?.user.role !== 'admin')
    throw new ForbiddenError('this needs an administrator', 'ADMIN_ONLY');
};

/** The signed-in user; only valid behind requireUser. */
export function currentUser(request: FastifyRequest): User {
  if (!request.auth) throw new UnauthorizedError('sign in first');
  return request.auth.user;
}
