import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import type { Config } from '../config/config.js';
import type { Drive } from '../drive/drive.js';
import { ForbiddenError, NotFoundError } from '../errors/domain-error.js';
import { underBasePath } from './base-path.js';
import { registerDecoy } from './decoy.js';
import { createErrorHandler } from './error-handler.js';
import { ipAllowList } from './ip-allow-list.js';
import { RequestLog } from './request-log.js';
import { adminRoutes } from './routes/admin-routes.js';
import { appPasswordRoutes } from './routes/app-password-routes.js';
import { authRoutes, defaultPasswordLimits } from './routes/auth-routes.js';
import { fsRoutes } from './routes/fs-routes.js';
import { shareRoutes } from './routes/share-routes.js';
import { transferRoutes } from './routes/transfer-routes.js';
import { trashRoutes } from './routes/trash-routes.js';
import { uploadRoutes } from '../uploads/upload-routes.js';
import { archiveRoutes } from './routes/archive-routes.js';
import { searchRoutes } from './routes/search-routes.js';
import { thumbnailRoutes } from './routes/thumbnail-routes.js';
import { ThumbnailService } from './thumbnails/thumbnails.js';
import { registerWebUi } from './web-ui.js';
import { createDavAuthenticator } from '../webdav/authenticator.js';
import { webdavPlugin } from '../webdav/plugin.js';

export interface HttpServerOptions {
  config: Pick<
    Config,
    'basePath' | 'decoyDir' | 'allowIps' | 'trustProxy' | 'secureCookies' | 'webdav' | 'dataDir'
  >;
  drive: Drive;
  logger: PinoLogger;
  /** The built web UI; by default dist/web of the package (tests give their own). */
  webDir?: string;
}

/** The one HTTP server: JSON API, file transfers, health, and the decoy site outside BASE_PATH. */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { config, drive } = options;
  const base = config.basePath;
  const inside = underBasePath(base);
  const handleError = createErrorHandler((url) => !inside(url));
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Uploads may run for hours; the socket's idle timeout still applies.
    requestTimeout: 0,
    return503OnClosing: true,
    logController: new RequestLog(base),
    frameworkErrors: (error, request, reply) => handleError(error, request, reply),
  });
  app.decorateRequest('auth', null);
  app.setErrorHandler(handleError);
  await app.register(fastifyCookie);

  const allowed = config.allowIps ? ipAllowList(config.allowIps) : null;
  app.addHook('onRequest', async (request, reply) => {
    if (!inside(request.url)) return;
    if (allowed && !allowed(request.ip)) {
      request.log.warn({ ip: request.ip }, 'refused by ALLOW_IPS');
      throw new ForbiddenError('your address is not allowed here', 'IP_NOT_ALLOWED');
    }
    reply
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'SAMEORIGIN');
  });

  app.get(`${base}/healthz`, async () => {
    await drive.ping();
    return { status: 'ok' };
  });

  const limits = defaultPasswordLimits();
  const thumbnails = new ThumbnailService(
    { cacheDir: path.join(config.dataDir, 'thumbs') },
    app.log.child({ component: 'thumbnails' }),
  );
  const cookies = { basePath: base, secure: config.secureCookies };
  await app.register(
    async (api) => {
      authRoutes(api, { drive, cookies, limits });
      await api.register(async (scope) => fsRoutes(scope, { drive }));
      await api.register(async (scope) => trashRoutes(scope, { drive }));
      await api.register(async (scope) => adminRoutes(scope, { drive }));
      await api.register(async (scope) => transferRoutes(scope, { drive }));
      await api.register(async (scope) => appPasswordRoutes(scope, { drive }));
      await api.register(async (scope) => shareRoutes(scope, { drive, cookies, limits }));
      await api.register(async (scope) => uploadRoutes(scope, { drive }));
      await api.register(async (scope) => searchRoutes(scope, { drive }));
      await api.register(async (scope) => archiveRoutes(scope, { drive, basePath: base }));
      await api.register(async (scope) => thumbnailRoutes(scope, { drive, thumbnails }));
    },
    { prefix: `${base}/api` },
  );
  await app.register(webdavPlugin, {
    drive,
    authenticate: createDavAuthenticator(drive, { limits }),
    basePath: base,
    config: config.webdav,
  });

  await registerWebUi(app, { basePath: base, dir: options.webDir, logger: app.log });
  // Windows' WebDAV client and Office ask the top of the site for OPTIONS, whatever folder is
  // mapped, and give up on a server that does not say DAV there. (Outside BASE_PATH the decoy answers.)
  app.options(base === '' ? '/' : `${base}/`, async (_request, reply) =>
    reply.header('dav', '1, 2').header('ms-author-via', 'DAV').header('allow', 'OPTIONS, GET, HEAD').send(),
  );
  if (base !== '') {
    app.get(base, async (_request, reply) => reply.redirect(`${base}/`));
    await registerDecoy(app, config.decoyDir);
  }
  app.setNotFoundHandler(async (request) => {
    throw new NotFoundError(`no such route: ${request.method} ${request.url.split('?')[0]}`);
  });
  return app;
}
