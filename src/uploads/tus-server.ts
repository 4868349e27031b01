import { Server, type MemoryLocker } from '@tus/server';
import { DomainError } from '../errors/domain-error.js';
import type { Logger } from '../observability/logger.js';
import type { TusRequestContext } from './tus-context.js';
import { UploadDataStore } from './tus-store.js';
import { isUploadId, MAX_UPLOAD_BYTES, newUploadId, type UploadService } from '../drive/uploads.js';

export interface TusServerOptions {
  /** The URL path of the endpoint, BASE_PATH included ("/drive/api/tus"). */
  path: string;
  uploads: UploadService;
  context: TusRequestContext;
  /** One lock per upload: a request that wants an upload another holds asks it to let go. */
  locker: MemoryLocker;
  logger: Logger;
}

/** An error as tus answers it: a status and a plain-text body. */
interface TusError {
  status_code: number;
  body: string;
}

function isTusError(error: unknown): error is TusError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as TusError).status_code === 'number' &&
    typeof (error as TusError).body === 'string'
  );
}

/**
 * The tus 1.0 server (creation, creation-with-upload, termination, expiration) over the upload
 * service. Errors reach clients as tus answers them: a status and a plain-text body; ours with
 * their status and message, anything unexpected as a bare 500 (logged, never shown).
 */
export function createTusServer(options: TusServerOptions): Server {
  const { logger } = options;
  return new Server({
    path: options.path,
    datastore: new UploadDataStore(options.uploads, options.context),
    locker: options.locker,
    maxSize: MAX_UPLOAD_BYTES,
    // Relative: right behind any proxy, whatever Host it passes on.
    relativeLocation: true,
    namingFunction: () => newUploadId(),
    getFileIdFromRequest: (_request, last) => (last !== undefined && isUploadId(last) ? last : undefined),
    // The web UI is on the same origin: no cross-origin caller is let in.
    allowedOrigins: () => false,
    // Runs before tus takes the upload's lock, which asks a PATCH holding it to let go: another
    // user's request (404) must not cut the owner's transfer short.
    onIncomingRequest: async (request, id) => {
      if (request.method !== 'POST') await options.uploads.get(options.context.current().user, id);
    },
    onResponseError: (_request, error) => {
      if (error instanceof DomainError) {
        if (error.status >= 500) logger.error({ err: error }, error.message);
        return { status_code: error.status, body: `${error.message}\n` };
      }
      if (isTusError(error)) return { status_code: error.status_code, body: error.body };
      logger.error({ err: error }, 'tus request failed');
      return { status_code: 500, body: 'internal error\n' };
    },
  });
}
