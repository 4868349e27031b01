// `npm run bench -- hf`: 1 GiB through the drive on STORE=hf against the Hub emulator, beside curl
// sending and fetching the same bytes to and from the emulator directly (one LFS object, one PUT).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startHubEmulator } from '../src/hub-emulator/index.js';
import { curl } from './curl.js';

const GiB = 1024 ** 3;
const TOKEN = 'hf_emulator';

export interface HfBenchDeps {
  root: string;
  reps: number;
  print(name: string, value: number | string): void;
  median(values: number[]): number;
  randomFile(file: string, seed: number, length: number): Promise<void>;
  startDrive(
    name: string,
    env: Record<string, string>,
  ): Promise<{
    base: string;
    cookie: string;
    csrf: string;
    waitFlushed(): Promise<void>;
    stop(): Promise<void>;
  }>;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await fs.open(file, 'r');
  for await (const piece of handle.createReadStream({ highWaterMark: 4 * 1024 * 1024 }))
    hash.update(piece as Buffer);
  return hash.digest('hex');
}

/** One raw LFS round trip with curl: batch (fetch), PUT (curl), commit (fetch), GET via resolve (curl). */
async function rawRoundTrip(
  hubUrl: string,
  repo: string,
  file: string,
  name: string,
): Promise<{ put: number; get: number }> {
  const oid = await sha256File(file);
  const size = (await fs.stat(file)).size;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const batch = await fetch(`${hubUrl}/datasets/${repo}.git/info/lfs/objects/batch`, {
    method: 'POST',
    headers: {
      ...auth,
      'Content-Type': 'application/vnd.git-lfs+json',
      Accept: 'application/vnd.git-lfs+json',
    },
    body: JSON.stringify({
      operation: 'upload',
      transfers: ['basic'],
      hash_algo: 'sha_256',
      objects: [{ oid, size }],
    }),
  });
  const href = ((await batch.json()) as { objects: { actions?: { upload?: { href: string } } }[] })
    .objects[0]!.actions!.upload!.href;
  const put = await curl(['-T', file, href]);
  const commit = await fetch(`${hubUrl}/api/datasets/${repo}/commit/main`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/x-ndjson' },
    body: [
      JSON.stringify({ key: 'header', value: { summary: 'raw' } }),
      JSON.stringify({ key: 'lfsFile', value: { path: name, algo: 'sha256', oid, size } }),
    ].join('\n'),
  });
  if (!commit.ok) throw new Error(`raw commit failed: ${commit.status}`);
  const get = await curl([
    '-L',
    '-H',
    `Authorization: Bearer ${TOKEN}`,
    `${hubUrl}/datasets/${repo}/resolve/main/${name}`,
  ]);
  return { put, get };
}

export async function benchHf(deps: HfBenchDeps): Promise<void> {
  // Single-PUT uploads on both sides: the drive's 64 MiB packs and curl's 1 GiB object.
  const hub = await startHubEmulator({
    dir: path.join(deps.root, 'hub'),
    port: 0,
    multipartThreshold: 4 * GiB,
  });
  const drive = await deps.startDrive('hf', {
    HF_ENDPOINT: hub.url,
    HF_TOKEN: TOKEN,
    HF_DATASET_REPO: 'emulator/bench',
    HF_CREATE_REPO: '1',
    FLUSH_INTERVAL: '1',
  });
  await hub.createRepo('emulator/raw');
  const times = {
    ack: [] as number[],
    toHub: [] as number[],
    get: [] as number[],
    rawPut: [] as number[],
    rawGet: [] as number[],
  };
  for (let rep = 0; rep < deps.reps; rep++) {
    const source = path.join(deps.root, `hf-source-${rep}.bin`);
    await deps.randomFile(source, 700 + rep, GiB);
    const raw = await rawRoundTrip(hub.url, 'emulator/raw', source, `raw-${rep}.bin`);
    times.rawPut.push(raw.put);
    times.rawGet.push(raw.get);
    const target = `${drive.base}/api/fs/content?path=/f${rep}.bin`;
    const start = performance.now();
    times.ack.push(
      await curl([
        '-H',
        `Cookie: ${drive.cookie}`,
        '-H',
        `X-CSRF-Token: ${drive.csrf}`,
        '-T',
        source,
        target,
      ]),
    );
    await drive.waitFlushed();
    times.toHub.push((performance.now() - start) / 1000);
    times.get.push(await curl(['-H', `Cookie: ${drive.cookie}`, target]));
    await fs.rm(source);
  }
  const mibs = (t: number[]) => 1024 / deps.median(t);
  deps.print('hf_raw_curl_put_mib_s', mibs(times.rawPut));
  deps.print('hf_drive_upload_acknowledged_mib_s', mibs(times.ack));
  deps.print('hf_drive_upload_in_the_repo_mib_s', mibs(times.toHub));
  deps.print('hf_upload_ratio_vs_raw_curl', mibs(times.toHub) / mibs(times.rawPut));
  deps.print('hf_raw_curl_get_mib_s', mibs(times.rawGet));
  deps.print('hf_drive_download_mib_s', mibs(times.get));
  deps.print('hf_download_ratio_vs_raw_curl', mibs(times.get) / mibs(times.rawGet));
  const stats = await hub.stats('emulator/bench');
  deps.print('hf_commits_for_3_gib', stats.commits);
  await drive.stop();
  await hub.close();
}
