import sharp from 'sharp';
import type { OpenFile } from '../../drive/files.js';
import { UnprocessableError, UnsupportedMediaTypeError } from '../../errors/domain-error.js';
import { extensionOf, IMAGE_EXTENSIONS, sniffImageFormat } from './image-format.js';
import { JobLimiter } from './job-limiter.js';
import { ThumbnailCache } from './thumbnail-cache.js';

export const THUMBNAIL_SIZES = [128, 256, 512] as const;
export type ThumbnailSize = (typeof THUMBNAIL_SIZES)[number];

export interface ThumbnailServiceOptions {
  /** DATA_DIR/thumbs. */
  cacheDir: string;
  cacheMaxBytes?: number;
  /** Larger files are refused unread. */
  maxInputBytes?: number;
  /** Larger images are refused from their header, before they are decoded. */
  maxInputPixels?: number;
  /** Images read and decoded at once: each may hold maxInputBytes plus the decoder's memory. */
  concurrency?: number;
}

export interface Logger {
  warn(object: object, message: string): void;
}

const DEFAULTS = {
  cacheMaxBytes: 256 * 1024 * 1024,
  maxInputBytes: 50 * 1024 * 1024,
  maxInputPixels: 50_000_000,
  concurrency: 2,
};

/** The decoders the sniffed formats reach (AVIF is read by libheif); anything else is refused. */
const DECODERS = new Set<string>(['jpeg', 'png', 'gif', 'webp', 'tiff', 'heif']);

// Each input is decoded once from a buffer: libvips' operation cache would only hold memory.
sharp.cache(false);

const unsupported = () =>
  new UnsupportedMediaTypeError(
    'thumbnails are made of JPEG, PNG, GIF, WebP, TIFF and AVIF images only',
    'NO_THUMBNAIL',
  );

/** The opaque part of a thumbnail's ETag: the file's content validator and the size. */
export function thumbnailTag(file: OpenFile, size: ThumbnailSize): string {
  return `"${file.etag.replace(/"/g, '')}-${size}"`;
}

/**
 * WebP thumbnails of a file's current content, rendered with sharp at most `concurrency` at a
 * time, and kept on disk by content hash (so a copy or a rename costs nothing, and a new version
 * gets a new one). Two requests for the same rendering share one job.
 */
export class ThumbnailService {
  private readonly cache: ThumbnailCache;
  private readonly limiter: JobLimiter;
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private readonly settings: typeof DEFAULTS;

  constructor(
    options: ThumbnailServiceOptions,
    private readonly logger: Logger,
  ) {
    this.settings = {
      cacheMaxBytes: options.cacheMaxBytes ?? DEFAULTS.cacheMaxBytes,
      maxInputBytes: options.maxInputBytes ?? DEFAULTS.maxInputBytes,
      maxInputPixels: options.maxInputPixels ?? DEFAULTS.maxInputPixels,
      concurrency: options.concurrency ?? DEFAULTS.concurrency,
    };
    this.cache = new ThumbnailCache({ dir: options.cacheDir, maxBytes: this.settings.cacheMaxBytes });
    this.limiter = new JobLimiter(this.settings.concurrency);
  }

  /** Refuses, without reading it, a file that cannot have a thumbnail. */
  check(file: OpenFile): void {
    if (!IMAGE_EXTENSIONS.has(extensionOf(file.entry.name))) throw unsupported();
    if (file.size > this.settings.maxInputBytes) {
      const mib = Math.round(this.settings.maxInputBytes / (1024 * 1024));
      throw new UnprocessableError(`thumbnails are made of images up to ${mib} MiB`, 'IMAGE_TOO_LARGE');
    }
  }

  async render(file: OpenFile, size: ThumbnailSize): Promise<Buffer> {
    this.check(file);
    const key = `${file.etag.replace(/"/g, '')}-${size}`;
    const cached = await this.cache.get(key);
    if (cached) return cached;
    const running = this.inFlight.get(key);
    if (running) return running;
    const job = this.limiter
      .run(async () => this.make(file, size))
      .then(async (data) => {
        await this.cache.put(key, data).catch((error: unknown) => {
          this.logger.warn({ err: error }, 'could not keep a thumbnail on disk');
        });
        return data;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, job);
    return job;
  }

  private async make(file: OpenFile, size: ThumbnailSize): Promise<Buffer> {
    const input = await readWhole(file);
    if (sniffImageFormat(input) === null) throw unsupported();
    const limit = this.settings.maxInputPixels;
    try {
      // The header first: the pixel limit is judged before anything is decoded.
      const meta = await sharp(input, { limitInputPixels: limit }).metadata();
      if (!DECODERS.has(meta.format)) throw unsupported();
      if ((meta.width ?? 0) * (meta.height ?? 0) > limit) throw tooManyPixels(limit);
      return await sharp(input, { limitInputPixels: limit, autoOrient: true })
        .resize(size, size, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75 })
        .toBuffer();
    } catch (error) {
      if (error instanceof UnprocessableError || error instanceof UnsupportedMediaTypeError) throw error;
      const message = error instanceof Error ? error.message : '';
      if (/pixel limit/i.test(message)) throw tooManyPixels(limit);
      throw new UnprocessableError('this image cannot be read', 'IMAGE_UNREADABLE');
    }
  }
}

function tooManyPixels(limit: number): UnprocessableError {
  return new UnprocessableError(
    `thumbnails are made of images up to ${Math.round(limit / 1_000_000)} megapixels`,
    'IMAGE_TOO_LARGE',
  );
}

async function readWhole(file: OpenFile): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of file.stream()) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
