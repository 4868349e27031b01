import * as tus from 'tus-js-client';
import { getCsrfToken } from '../api/client';
import { apiUrl } from '../env';
import { codeText } from '../ui/errors';
import { joinPath } from '../ui/paths';
import { SpeedMeter } from './speed';

export type UploadStatus = 'queued' | 'uploading' | 'paused' | 'done' | 'error' | 'cancelled';

export interface UploadItem {
  id: number;
  name: string;
  /** The drive path the file goes to. */
  path: string;
  size: number;
  sent: number;
  status: UploadStatus;
  /** Bytes per second while uploading. */
  speed: number;
  error: string | null;
  /** Picked up where an earlier attempt (another page load, a restarted server) stopped. */
  resumedFrom: number;
  retries: number;
}

export interface NewUpload {
  file: File;
  /** The file's path below the folder it was dropped in ("a.txt", or "album/2024/a.jpg" for a folder). */
  relativePath: string;
  /** An unfinished upload on the server to continue (from another browser or a cleared storage). */
  resumeUrl?: string;
}

interface Job {
  item: UploadItem;
  file: File;
  resumeUrl: string | undefined;
  upload: tus.Upload | null;
  meter: SpeedMeter;
}

/** Files at once: more gains nothing on one connection and delays the first finished file. */
const PARALLEL = 2;
/** Bytes per PATCH: below the 100 MB body limit of common proxies (Cloudflare); resumable between them. */
const CHUNK_SIZE = 64 * 1024 * 1024;
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];

/**
 * The uploads of this page: a queue of tus uploads, each resumable. An upload's URL is kept in
 * localStorage under a fingerprint of (user, target path, file), so picking the same file again after a
 * reload or a server restart continues from the offset the server reports.
 */
export class UploadQueue {
  private jobs: Job[] = [];
  private nextId = 1;
  private listeners = new Set<() => void>();
  private snapshot: UploadItem[] = [];

  constructor(
    private readonly userId: () => number | null,
    private readonly onFileDone: (path: string) => void,
    /** After the server has dropped a cancelled upload (its list of unfinished ones changed). */
    private readonly onCancelled: () => void,
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  items = (): UploadItem[] => this.snapshot;

  private changed(): void {
    this.snapshot = this.jobs.map((job) => ({ ...job.item, speed: job.meter.perSecond() }));
    for (const listener of this.listeners) listener();
  }

  add(files: NewUpload[], folder: string): void {
    for (const { file, relativePath, resumeUrl } of files) {
      const path = relativePath.split('/').filter(Boolean).reduce(joinPath, folder);
      this.jobs.push({
        file,
        resumeUrl,
        upload: null,
        meter: new SpeedMeter(),
        item: {
          id: this.nextId++,
          name: file.name,
          path,
          size: file.size,
          sent: 0,
          status: 'queued',
          speed: 0,
          error: null,
          resumedFrom: 0,
          retries: 0,
        },
      });
    }
    this.changed();
    this.pump();
  }

  pause(id: number): void {
    const job = this.find(id);
    if (!job || (job.item.status !== 'uploading' && job.item.status !== 'queued')) return;
    job.item.status = 'paused';
    job.meter.reset();
    void job.upload?.abort(false);
    this.changed();
    this.pump();
  }

  resume(id: number): void {
    const job = this.find(id);
    if (!job || (job.item.status !== 'paused' && job.item.status !== 'error')) return;
    job.item.status = 'queued';
    job.item.error = null;
    this.changed();
    this.pump();
  }

  /** Stops and tells the server to drop what it has (DELETE), so the space is freed at once. */
  cancel(id: number): void {
    const job = this.find(id);
    if (!job || job.item.status === 'done') return;
    job.item.status = 'cancelled';
    void (job.upload?.abort(true) ?? Promise.resolve()).catch(() => undefined).then(this.onCancelled);
    this.changed();
    this.pump();
  }

  pauseAll(): void {
    for (const job of this.jobs) this.pause(job.item.id);
  }

  resumeAll(): void {
    for (const job of this.jobs) this.resume(job.item.id);
  }

  clearFinished(): void {
    this.jobs = this.jobs.filter((j) => !['done', 'cancelled'].includes(j.item.status));
    this.changed();
  }

  active(): boolean {
    return this.jobs.some((j) => j.item.status === 'uploading' || j.item.status === 'queued');
  }

  private find(id: number): Job | undefined {
    return this.jobs.find((j) => j.item.id === id);
  }

  private pump(): void {
    let running = this.jobs.filter((j) => j.item.status === 'uploading').length;
    for (const job of this.jobs) {
      if (running >= PARALLEL) break;
      if (job.item.status !== 'queued') continue;
      running += 1;
      void this.start(job);
    }
  }

  private async start(job: Job): Promise<void> {
    const { item, file } = job;
    item.status = 'uploading';
    job.meter.reset();
    this.changed();
    const userId = this.userId();
    const upload = new tus.Upload(file, {
      endpoint: apiUrl('/tus/'),
      uploadUrl: job.resumeUrl ?? null,
      chunkSize: CHUNK_SIZE,
      retryDelays: RETRY_DELAYS,
      metadata: { path: item.path, filename: file.name, filetype: file.type || 'application/octet-stream' },
      // The target path is part of the identity: the same file sent to two folders is two uploads.
      fingerprint: async () =>
        ['hubdrive', userId ?? 'anon', item.path, file.size, file.lastModified, file.name].join('|'),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onBeforeRequest: (request) => {
        const token = getCsrfToken();
        if (token) request.setHeader('X-CSRF-Token', token);
      },
      onShouldRetry: (error, attempt) => {
        const status = error.originalResponse?.getStatus() ?? 0;
        const body = error.originalResponse?.getBody() ?? '';
        // 4xx will not change by asking again, but for locks, rate limits and a 409 about the offset
        // (the upload moved meanwhile: a HEAD finds where it is); a 409 for a name taken is final.
        const moved = status === 409 && /offset|changed/i.test(body);
        const final = status >= 400 && status < 500 && ![423, 429].includes(status) && !moved;
        if (!final) {
          item.retries = attempt + 1;
          this.changed();
        }
        return !final;
      },
      onProgress: (sent) => {
        item.sent = sent;
        job.meter.add(sent);
        this.changed();
      },
      onSuccess: () => {
        item.status = 'done';
        item.sent = item.size;
        this.changed();
        this.onFileDone(item.path);
        this.pump();
      },
      onError: (error) => {
        if (item.status === 'cancelled' || item.status === 'paused') return;
        item.status = 'error';
        item.error = serverMessage(error);
        this.changed();
        this.pump();
      },
    });
    job.upload = upload;
    try {
      if (job.resumeUrl) throw new Error('resuming a known upload');
      const previous = await upload.findPreviousUploads();
      const latest = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
      if (latest) upload.resumeFromPreviousUpload(latest);
    } catch {
      // No storage (private mode): start afresh.
    }
    if (item.status !== 'uploading') return;
    // The first progress after a resume starts at the offset the server reported.
    const onProgress = upload.options.onProgress;
    let first = true;
    upload.options.onProgress = (sent, total) => {
      if (first) {
        first = false;
        if (sent > 0 && item.sent === 0) item.resumedFrom = sent;
      }
      onProgress?.(sent, total);
    };
    upload.start();
  }
}

/** tus answers carry plain text; what each status means, in the reader's language. */
const STATUS_CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'EXISTS',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
};

/** The server's own words from a failed tus request (translated where the UI knows the case). */
function serverMessage(error: Error): string {
  const detailed = error as tus.DetailedError;
  const status = detailed.originalResponse?.getStatus() ?? 0;
  const body = detailed.originalResponse?.getBody();
  const quota = status === 413 && /quota/i.test(body ?? '');
  const code = quota ? 'QUOTA_EXCEEDED' : STATUS_CODES[status];
  const translated = code ? codeText(code) : null;
  if (translated !== null) return translated;
  if (body) {
    try {
      const parsed = JSON.parse(body) as { error?: { message?: string } };
      if (parsed.error?.message) return parsed.error.message;
    } catch {
      return body.slice(0, 300);
    }
  }
  return error.message.split('\n')[0] ?? error.message;
}
