import type { Readable } from 'node:stream';
import { DataStore, ERRORS, Upload } from '@tus/server';
import type { UploadService } from '../drive/uploads.js';
import { UPLOAD_TTL_MS } from '../drive/uploads.js';
import type { TusRequestContext } from './tus-context.js';

/**
 * The data store @tus/server drives, over the upload service: bytes go straight into the content
 * engine, and an upload's offset is what it holds durably. Every call acts for the signed-in user
 * of the request it serves; another user's upload does not exist (404).
 */
export class UploadDataStore extends DataStore {
  constructor(
    private readonly uploads: UploadService,
    private readonly context: TusRequestContext,
  ) {
    super();
    // No creation-defer-length (Upload-Length is required) and no concatenation.
    this.extensions = ['creation', 'creation-with-upload', 'termination', 'expiration'];
  }

  override async create(upload: Upload): Promise<Upload> {
    const { user } = this.context.current();
    if (upload.size === undefined) throw ERRORS.INVALID_LENGTH;
    await this.uploads.create(user, { id: upload.id, length: upload.size, metadata: upload.metadata ?? {} });
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const info = await this.uploads.get(this.context.current().user, id);
    return new Upload({
      id,
      size: info.length,
      offset: info.offset,
      metadata: info.metadata,
      // @tus/server reckons expiry from creation_date; ours runs from the last activity.
      creation_date: new Date(info.updatedAt).toISOString(),
    });
  }

  /** Returns the bytes held durably, which may be fewer than arrived: the client goes on from there. */
  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    const { user, raw } = this.context.current();
    return this.uploads.write(user, id, offset, stream, { arrivedWhole: () => raw.complete });
  }

  override async remove(id: string): Promise<void> {
    await this.uploads.remove(this.context.current().user, id);
  }

  override async declareUploadLength(): Promise<void> {
    throw ERRORS.UNSUPPORTED_CREATION_DEFER_LENGTH_EXTENSION;
  }

  override getExpiration(): number {
    return UPLOAD_TTL_MS;
  }

  override deleteExpired(): Promise<number> {
    return this.uploads.removeExpired();
  }
}
