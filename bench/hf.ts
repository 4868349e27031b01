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
    cpuSeconds(): number;
    stop(): Promise<void>;
  }>;
}

/** The i-th small file of the scale run: 4 KiB of its own bytes. */
function smallFile(i: number): Buffer {
  return Buffer.from(createHash('sha512').update(`small ${i}`).digest('hex').repeat(32));
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
  // The emulator runs in this process: its CPU is this process's, beside the drive's own.
  const cpu = { rawHub: 0, driveHub: 0, drive: 0 };
  const hubCpu = () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1e6;
  };
  for (let rep = 0; rep < deps.reps; rep++) {
    const source = path.join(deps.root, `hf-source-${rep}.bin`);
    await deps.randomFile(source, 700 + rep, GiB);
    let hubBefore = hubCpu();
    const raw = await rawRoundTrip(hub.url, 'emulator/raw', source, `raw-${rep}.bin`);
    cpu.rawHub += hubCpu() - hubBefore;
    hubBefore = hubCpu();
    const driveBefore = drive.cpuSeconds();
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
    cpu.driveHub += hubCpu() - hubBefore;
    cpu.drive += drive.cpuSeconds() - driveBefore;
    times.get.push(await curl(['-H', `Cookie: ${drive.cookie}`, target]));
    await fs.rm(source);
  }
  const mibs = (t: number[]) => 1024 / deps.median(t);
  deps.print('hf_raw_curl_put_mib_s', mibs(times.rawPut));
  deps.print('hf_drive_upload_acknowledged_mib_s', mibs(times.ack));
  deps.print('hf_drive_upload_in_the_repo_mib_s', mibs(times.toHub));
  deps.print('hf_upload_ratio_vs_raw_curl', mibs(times.toHub) / mibs(times.rawPut));
  // Where the CPU goes (2 cores): the Hub's side is not on this machine in production.
  deps.print('hf_cpu_s_per_gib_emulator_raw_put_and_get', cpu.rawHub / deps.reps);
  deps.print('hf_cpu_s_per_gib_emulator_behind_the_drive_upload', cpu.driveHub / deps.reps);
  deps.print('hf_cpu_s_per_gib_drive_upload', cpu.drive / deps.reps);
  deps.print('hf_raw_curl_get_mib_s', mibs(times.rawGet));
  deps.print('hf_drive_download_mib_s', mibs(times.get));
  deps.print('hf_download_ratio_vs_raw_curl', mibs(times.get) / mibs(times.rawGet));
  const stats = await hub.stats('emulator/bench');
  deps.print('hf_commits_for_3_gib', stats.commits);
  await drive.stop();
  await hub.close();
}

/**
 * `npm run bench -- hfscale`: the scale run through the HTTP API on STORE=hf: a 2 GiB file
 * and 10,000 files of 4 KiB, with 10% of Hub requests failing (429, 5xx, resets) and a budget of 128
 * commits an hour; everything read back and compared.
 */
export async function benchHfScale(deps: HfBenchDeps): Promise<void> {
  const hub = await startHubEmulator({
    dir: path.join(deps.root, 'hub-scale'),
    port: 0,
    commitsPerHour: 128,
  });
  const drive = await deps.startDrive('hf-scale', {
    HF_ENDPOINT: hub.url,
    HF_TOKEN: TOKEN,
    HF_DATASET_REPO: 'emulator/scale',
    HF_CREATE_REPO: '1',
  });
  hub.setFaults({ errorRate: 0.07, errorStatuses: [429, 500, 503], resetRate: 0.03, seed: 2026 });
  const auth = ['-H', `Cookie: ${drive.cookie}`, '-H', `X-CSRF-Token: ${drive.csrf}`];
  const big = path.join(deps.root, 'scale-2gib.bin');
  await deps.randomFile(big, 900, 2 * GiB);
  const started = performance.now();
  await curl([...auth, '-T', big, `${drive.base}/api/fs/content?path=/big.bin`]);
  const headers = { cookie: drive.cookie, 'x-csrf-token': drive.csrf };
  await fetch(`${drive.base}/api/fs/mkdir`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ path: '/small' }),
  });
  const count = 10_000;
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${drive.base}/api/fs/content?path=/small/f${i}.bin`, {
      method: 'PUT',
      headers,
      body: smallFile(i),
    });
    if (response.status !== 201) throw new Error(`upload ${i}: ${response.status}`);
  }
  await drive.waitFlushed();
  deps.print('hfscale_upload_and_commit_seconds', (performance.now() - started) / 1000);
  hub.setFaults({});
  const stats = await hub.stats('emulator/scale');
  deps.print('hfscale_commits', stats.commits);
  deps.print('hfscale_commits_per_100_files', (stats.commits / (count + 1)) * 100);
  deps.print('hfscale_objects_in_repo', stats.files);
  deps.print('hfscale_largest_folder_entries', stats.largestFolder);
  // Packs: one per 64 MiB, one more per flush; metadata: a journal segment per commit and up to
  // three snapshots; hubdrive.json and .gitattributes.
  deps.print(
    'hfscale_objects_allowed_by_rule',
    Math.ceil((2 * GiB + count * 4096) / (64 * 1024 ** 2)) + 2 * stats.commits + 3 + 2,
  );
  hub.setFaults({ errorRate: 0.07, errorStatuses: [429, 500, 503], resetRate: 0.03, seed: 7 });
  const bigBack = path.join(deps.root, 'scale-2gib.back');
  await curl(['-H', `Cookie: ${drive.cookie}`, `${drive.base}/api/fs/content?path=/big.bin`], bigBack);
  let mismatches = (await sha256File(big)) === (await sha256File(bigBack)) ? 0 : 1;
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${drive.base}/api/fs/content?path=/small/f${i}.bin`, { headers });
    if (!Buffer.from(await response.arrayBuffer()).equals(smallFile(i))) mismatches++;
  }
  deps.print('hfscale_files_differing_after_download', mismatches);
  hub.setFaults({});
  await drive.stop();
  await hub.close();
  await fs.rm(big, { force: true });
  await fs.rm(bigBack, { force: true });
}
