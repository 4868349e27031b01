import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import type { User } from '../../drive/users.js';
import { UnauthorizedError } from '../../errors/domain-error.js';
import {
  clearSessionCookie,
  currentUser,
  requireUser,
  setSessionCookie,
  type CookieOptions,
} from '../auth.js';
import { parseInput } from '../body.js';
import type { LoginRateLimit } from '../login-rate-limit.js';

const credentials = z.object({
  username: z.string().min(1, 'enter a username').max(64),
  password: z.string().min(1, 'enter a password').max(1024),
});

const passwordChange = z.object({
  currentPassword: z.string().max(1024),
  newPassword: z.string().max(1024),
});

/** The user as the browser may see it. */
export type PublicUser = ReturnType<typeof publicUser>;

export function publicUser(user: User) {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    quotaBytes: user.quotaBytes,
    usedBytes: user.usedBytes,
    disabled: user.disabled,
    createdAt: user.createdAt,
  };
}

export interface AuthRoutesOptions {
  drive: Drive;
  cookies: CookieOptions;
  loginLimit: LoginRateLimit;
}

export function authRoutes(app: FastifyInstance, { drive, cookies, loginLimit }: AuthRoutesOptions): void {
  const signedIn = { preHandler: requireUser(drive.sessions) };

  app.get('/setup', async () => ({ needed: await drive.users.setupNeeded() }));

  app.post('/setup', async (request, reply) => {
    const { username, password } = parseInput(credentials, request.body);
    const user = await drive.users.setup(username, password);
    const session = await drive.sessions.create(user);
    setSessionCookie(reply, request, cookies, session.token, session.expiresAt);
    return reply.code(201).send({ user: publicUser(user), csrfToken: session.csrfToken });
  });

  app.post('/auth/login', async (request, reply) => {
    loginLimit.check(request.ip);
    const { username, password } = parseInput(credentials, request.body);
    let user: User;
    try {
      user = await drive.users.authenticate(username, password);
    } catch (error) {
      if (error instanceof UnauthorizedError) loginLimit.fail(request.ip);
      throw error;
    }
    const session = await drive.sessions.create(user);
    setSessionCookie(reply, request, cookies, session.token, session.expiresAt);
    return { user: publicUser(user), csrfToken: session.csrfToken };
  });

  app.post('/auth/logout', signedIn, async (request, reply) => {
    await drive.sessions.destroy(request.auth!.token);
    clearSessionCookie(reply, cookies);
    return reply.code(204).send();
  });

  app.get('/auth/session', signedIn, async (request) => ({
    user: publicUser(request.auth!.user),
    csrfToken: request.auth!.session.csrfToken,
  }));

  app.post('/auth/password', signedIn, async (request, reply) => {
    const { currentPassword, newPassword } = parseInput(passwordChange, request.body);
    await drive.users.changePassword(currentUser(request).id, currentPassword, newPassword);
    return reply.code(204).send();
  });

  app.get('/me', signedIn, async (request) => ({ user: publicUser(currentUser(request)) }));
}
