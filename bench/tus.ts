// `npm run bench -- tus`: 1 GiB through the drive's tus endpoint (tus-js-client, 64 MiB PATCHes as the
// web UI sends them), beside the peer: curl PUTting the same bytes to /api/fs/content on the same
// drive; and curl sending the same bytes in one tus PATCH (the server's side alone). Then an upload cut
// off halfway and resumed: the bytes the server kept.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { curl } from './curl.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** What the web UI sends per PATCH (web/src/upload/upload-queue.ts). */
const CHUNK_SIZE = 64 * MiB;

export interface TusDrive {
  base: string;
  cookie: string;
  csrf: string;
  peakRss(): number;
  waitFlushed(): Promise<void>;
  stop(): Promise<void>;
}

export interface TusBenchDeps {
  root: string;
  reps: number;
  startDrive(name: string): Promise<TusDrive>;
  randomFile(file: string, seed: number, length: number): Promise<void>;
  median(values: number[]): number;
  print(name: string, value: number | string): void;
}

interface Sent {
  seconds: number;
  url: string | null;
}

/** curl's -H pair that signs a request in as the drive's admin. */
function curlAuth(drive: TusDrive): string[] {
  return ['-H', `Cookie: ${drive.cookie}`, '-H', `X-CSRF-Token: ${drive.csrf}`];
}

/** Where the server says an upload is (tus HEAD). */
async function offsetOf(drive: TusDrive, url: string): Promise<number> {
  const res = await fetch(url, {
    method: 'HEAD',
    headers: { cookie: drive.cookie, 'tus-resumable': '1.0.0' },
  });
  if (!res.ok) throw new Error(`HEAD ${url}: ${res.status}`);
  return Number(res.headers.get('upload-offset'));
}

/** Sends `file` with tus; `stopAt` aborts once that many bytes are acknowledged (a cut-off transfer). */
function tusUpload(
  drive: TusDrive,
  file: string,
  target: string,
  options: { stopAt?: number; resumeUrl?: string } = {},
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const upload: tus.Upload = new tus.Upload(createReadStream(file), {
      endpoint: `${drive.base}/api/tus/`,
      uploadUrl: options.resumeUrl ?? null,
      chunkSize: CHUNK_SIZE,
      retryDelays: [],
      metadata: { path: target },
      headers: { cookie: drive.cookie, 'x-csrf-token': drive.csrf },
      onProgress: (sent) => {
        if (options.stopAt !== undefined && sent >= options.stopAt) {
          void upload
            .abort()
            .then(() => resolve({ seconds: (performance.now() - start) / 1000, url: upload.url }));
        }
      },
      onSuccess: () => resolve({ seconds: (performance.now() - start) / 1000, url: upload.url }),
      onError: reject,
    });
    upload.start();
  });
}

/** The server's side alone: one upload made with a POST, then its bytes in one PATCH sent by curl. */
async function curlPatch(drive: TusDrive, file: string, target: string): Promise<number> {
  const created = await fetch(`${drive.base}/api/tus/`, {
    method: 'POST',
    headers: {
      cookie: drive.cookie,
      'x-csrf-token': drive.csrf,
      'tus-resumable': '1.0.0',
      'upload-length': String((await fs.stat(file)).size),
      'upload-metadata': `path ${Buffer.from(target).toString('base64')}`,
    },
  });
  if (created.status !== 201) throw new Error(`tus POST: ${created.status}`);
  const url = new URL(created.headers.get('location')!, drive.base).toString();
  return curl([
    ...['-X', 'PATCH', '-T', file, url],
    ...curlAuth(drive),
    ...['-H', 'Tus-Resumable: 1.0.0', '-H', 'Upload-Offset: 0'],
    ...['-H', 'Content-Type: application/offset+octet-stream'],
  ]);
}

export async function benchTus(deps: TusBenchDeps): Promise<void> {
  const drive = await deps.startDrive('tus');
  const target = (name: string) => `${drive.base}/api/fs/content?path=/${name}`;
  const times = { tus: [] as number[], patch: [] as number[], put: [] as number[] };
  try {
    for (let rep = 0; rep < deps.reps; rep++) {
      const source = path.join(deps.root, `tus-source-${rep}.bin`);
      await deps.randomFile(source, 300 + rep, GiB);
      const runs = [
        async () => times.tus.push((await tusUpload(drive, source, `/tus-${rep}.bin`)).seconds),
        async () => times.patch.push(await curlPatch(drive, source, `/patch-${rep}.bin`)),
        async () => times.put.push(await curl([...curlAuth(drive), '-T', source, target(`put-${rep}.bin`)])),
      ];
      for (const run of rep % 2 === 0 ? runs : runs.reverse()) {
        await run();
        await drive.waitFlushed();
      }
      await fs.rm(source);
    }
    const mibs = (t: number[]) => 1024 / deps.median(t);
    deps.print('tus_upload_mib_s', mibs(times.tus));
    deps.print('put_upload_mib_s', mibs(times.put));
    deps.print('tus_ratio_vs_put', mibs(times.tus) / mibs(times.put));
    // curl's one PATCH: the tus server's own cost, without tus-js-client's reading in Node.
    deps.print('tus_curl_patch_mib_s', mibs(times.patch));
    deps.print('tus_curl_patch_ratio_vs_put', mibs(times.patch) / mibs(times.put));

    // Cut off at half, then resumed by a new client from the URL: what the server kept.
    const source = path.join(deps.root, 'tus-resume.bin');
    await deps.randomFile(source, 399, GiB);
    const first = await tusUpload(drive, source, '/resumed.bin', { stopAt: GiB / 2 });
    const kept = await offsetOf(drive, first.url!);
    await tusUpload(drive, source, '/resumed.bin', { resumeUrl: first.url! });
    deps.print('tus_resume_kept_mib', kept / MiB);
    deps.print('tus_resume_kept_of_acknowledged', kept / (GiB / 2));
    await fs.rm(source);
    deps.print('rss_drive_peak_mib', drive.peakRss() / MiB);
  } finally {
    await drive.stop();
  }
}
