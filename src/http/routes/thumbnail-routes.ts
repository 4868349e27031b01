import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Drive } from '../../drive/drive.js';
import type { OpenFile } from '../../drive/files.js';
import { currentUser, requireUser } from '../auth.js';
import { parseInput } from '../body.js';
import { notModified } from '../file-response.js';
import {
  THUMBNAIL_SIZES,
  thumbnailTag,
  type ThumbnailService,
  type ThumbnailSize,
} from '../thumbnails/thumbnails.js';
import { pathField } from './fs-routes.js';
import { tokenOf, visitorOf } from './share-routes.js';

const sizeField = z
  .enum(THUMBNAIL_SIZES.map(String) as [string, ...string[]], {
    error: `size is one of ${THUMBNAIL_SIZES.join(', ')}`,
  })
  .transform((value) => Number(value) as ThumbnailSize)
  .default(256);
const ownQuery = z.object({ path: pathField, size: sizeField });
const sharedQuery = z.object({ path: pathField.default('/'), size: sizeField });

/**
 * A day: the URL names a path, whose content may change, so a client that must see a new version
 * at once adds its ETag to the URL (`&v=`); the ETag still lets a revalidation end in a 304.
 */
const CACHE_CONTROL = 'private, max-age=86400';

export interface ThumbnailRoutesOptions {
  drive: Drive;
  thumbnails: ThumbnailService;
}

/** WebP thumbnails of the user's images, and of images in a share (which counts no download). */
export function thumbnailRoutes(app: FastifyInstance, options: ThumbnailRoutesOptions): void {
  const { drive, thumbnails } = options;

  void app.register(async (own) => {
    own.addHook('preHandler', requireUser(drive.sessions));
    own.get('/fs/thumbnail', async (request, reply) => {
      const { path, size } = parseInput(ownQuery, request.query);
      const file = await drive.files.open(currentUser(request), path);
      return sendThumbnail(request, reply, thumbnails, file, size);
    });
  });

  void app.register(async (visitor) => {
    visitor.get('/s/:token/thumbnail', async (request, reply) => {
      const token = tokenOf(request);
      const { path, size } = parseInput(sharedQuery, request.query);
      // The share's own rules (password, expiry, trash, download limit) decide; nothing is counted.
      const shared = await drive.shares.openFile(token, visitorOf(request), path);
      return sendThumbnail(request, reply, thumbnails, shared.file, size);
    });
  });
}

async function sendThumbnail(
  request: FastifyRequest,
  reply: FastifyReply,
  thumbnails: ThumbnailService,
  file: OpenFile,
  size: ThumbnailSize,
): Promise<FastifyReply> {
  thumbnails.check(file);
  const tag = thumbnailTag(file, size);
  const headers = { etag: `W/${tag}`, 'cache-control': CACHE_CONTROL };
  if (notModified(request, tag)) return reply.headers(headers).code(304).send();
  const image = await thumbnails.render(file, size);
  return reply.headers(headers).type('image/webp').send(image);
}
