import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import type { Grant } from '../../drive/share-grants.js';
import { MAX_DOWNLOADS, shareKey, type Visitor } from '../../drive/shares.js';
import { MAX_PASSWORD_LENGTH } from '../../drive/passwords.js';
import { currentUser, requireUser, type CookieOptions } from '../auth.js';
import { parseInput } from '../body.js';
import { sendFile } from '../file-response.js';
import { clientKey } from '../login-rate-limit.js';
import type { PasswordLimits } from './auth-routes.js';
import { boolFlag, listQuery, pathField } from './fs-routes.js';

/** The visitor gave the share's password. */
const UNLOCK_COOKIE = 'hd_share';
/** The visitor's counted download may go on (ranges, seeking) without counting again. */
const DOWNLOAD_COOKIE = 'hd_share_dl';

const newShare = z.object({
  path: pathField,
  password: z.string().max(MAX_PASSWORD_LENGTH).nullable().optional(),
  expiresAt: z.number().int().positive().nullable().optional(),
  maxDownloads: z.number().int().min(1).max(MAX_DOWNLOADS).nullable().optional(),
});
const idParams = z.object({ id: z.coerce.number().int() });
const tokenParams = z.object({ token: z.string().max(256) });
const unlockBody = z.object({
  password: z.string({ error: 'a password is required' }).max(MAX_PASSWORD_LENGTH),
});
const contentQuery = z.object({ path: pathField.default('/'), download: boolFlag.optional() });

/** The share link's token, from the route's `:token`. */
export const tokenOf = (request: FastifyRequest): string => parseInput(tokenParams, request.params).token;

/** What the visitor's cookies hold for this share: its unlock grant, its counted download. */
export const visitorOf = (request: FastifyRequest): Visitor => ({
  unlock: request.cookies[UNLOCK_COOKIE],
  download: request.cookies[DOWNLOAD_COOKIE],
});

export interface ShareRoutesOptions {
  drive: Drive;
  cookies: CookieOptions;
  /** The same limits as sign-in: per client address, and per share link (as per account). */
  limits: PasswordLimits;
}

/** Share links: the owner's calls (signed in) under /shares, and the public ones under /s/:token. */
export function shareRoutes(app: FastifyInstance, options: ShareRoutesOptions): void {
  void app.register(async (owner) => ownerRoutes(owner, options.drive));
  void app.register(async (visitor) => visitorRoutes(visitor, options));
}

function ownerRoutes(app: FastifyInstance, drive: Drive): void {
  app.addHook('preHandler', requireUser(drive.sessions));

  app.get('/shares', async (request) => ({ shares: await drive.shares.list(currentUser(request)) }));

  // The token is in this answer only: the database keeps its hash.
  app.post('/shares', async (request, reply) => {
    const input = parseInput(newShare, request.body);
    const { share, token } = await drive.shares.create(currentUser(request), input);
    return reply.code(201).send({ share, token });
  });

  app.delete('/shares/:id', async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    await drive.shares.revoke(currentUser(request), id);
    return reply.code(204).send();
  });
}

/** No sign-in: the token is the credential, and the share's password (if any) a cookie's grant. */
function visitorRoutes(app: FastifyInstance, { drive, cookies, limits }: ShareRoutesOptions): void {
  // Each cookie is scoped to its share's URLs, so links to several shares do not disturb each other.
  const setGrant = (
    reply: FastifyReply,
    request: FastifyRequest,
    name: string,
    token: string,
    grant: Grant,
  ) =>
    reply.header(
      'set-cookie',
      app.serializeCookie(name, grant.value, {
        httpOnly: true,
        sameSite: 'lax',
        secure: cookies.secure ?? request.protocol === 'https',
        path: `${cookies.basePath}/api/s/${token}`,
        expires: new Date(grant.expiresAt),
      }),
    );

  app.get('/s/:token', async (request) => ({
    share: await drive.shares.info(tokenOf(request), visitorOf(request)),
  }));

  app.post('/s/:token/unlock', async (request, reply) => {
    const token = tokenOf(request);
    const { password } = parseInput(unlockBody, request.body);
    const byClient = limits.perClient.begin(clientKey(request.ip));
    const byShare = limits.perAccount.begin(`share:${shareKey(token)}`);
    const { info, grant } = await drive.shares.unlock(token, password);
    byClient.succeeded();
    byShare.succeeded();
    if (grant) setGrant(reply, request, UNLOCK_COOKIE, token, grant);
    return { share: info };
  });

  app.get('/s/:token/list', async (request) => {
    const { path, ...listOptions } = parseInput(listQuery, request.query);
    return drive.shares.listFolder(tokenOf(request), visitorOf(request), path, listOptions);
  });

  // A GET that sends content counts as a download, unless it continues one this visitor already
  // counted for the same file (the download cookie): seeking in a video or resuming counts once.
  const content = async (request: FastifyRequest, reply: FastifyReply) => {
    const token = tokenOf(request);
    const { path, download } = parseInput(contentQuery, request.query);
    const shared = await drive.shares.openFile(token, visitorOf(request), path);
    return sendFile(request, reply, shared.file, {
      asAttachment: download ?? false,
      beforeBody: async () => {
        if (shared.continued) return;
        setGrant(reply, request, DOWNLOAD_COOKIE, token, await shared.count());
      },
    });
  };
  // HEAD has its own route so that it keeps the real Content-Length.
  app.get('/s/:token/content', { exposeHeadRoute: false }, content);
  app.head('/s/:token/content', content);
}
