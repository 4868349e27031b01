import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import type { User } from '../../drive/users.js';
import {
  clearSessionCookie,
  currentUser,
  requireUser,
  setSessionCookie,
  type CookieOptions,
} from '../auth.js';
import { parseInput } from '../body.js';
import { clientKey, LoginRateLimit } from '../login-rate-limit.js';

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

/** Password attempts: per client address, and per account (which bounds a distributed guesser). */
export interface PasswordLimits {
  perClient: LoginRateLimit;
  perAccount: LoginRateLimit;
}

export function defaultPasswordLimits(): PasswordLimits {
  return {
    perClient: new LoginRateLimit({ maxFailures: 10, windowMs: 15 * 60_000 }),
    perAccount: new LoginRateLimit({ maxFailures: 50, windowMs: 15 * 60_000 }),
  };
}

export interface AuthRoutesOptions {
  drive: Drive;
  cookies: CookieOptions;
  limits: PasswordLimits;
}

export function authRoutes(app: FastifyInstance, { drive, cookies, limits }: AuthRoutesOptions): void {
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
    const { username, password } = parseInput(credentials, request.body);
    const byClient = limits.perClient.begin(clientKey(request.ip));
    const byAccount = limits.perAccount.begin(`account:${username.normalize('NFC').toLowerCase()}`);
    const user = await drive.users.authenticate(username, password);
    byClient.succeeded();
    byAccount.succeeded();
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

  // Every other session ends; this one is replaced by a new session (and a new CSRF token).
  app.post('/auth/password', signedIn, async (request, reply) => {
    const { currentPassword, newPassword } = parseInput(passwordChange, request.body);
    const user = currentUser(request);
    const attempt = limits.perAccount.begin(`password:${user.id}`);
    await drive.users.changePassword(user.id, currentPassword, newPassword);
    attempt.succeeded();
    const session = await drive.sessions.create(user);
    setSessionCookie(reply, request, cookies, session.token, session.expiresAt);
    return { user: publicUser(user), csrfToken: session.csrfToken };
  });

  app.get('/me', signedIn, async (request) => ({ user: publicUser(currentUser(request)) }));
}
