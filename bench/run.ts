// `npm run bench`: throughput, memory and deduplication figures, each printed as "name: value", with
// ratios against a plain Node http+fs server measured in the same run on the same tmpfs folder.
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FastCdc } from '../src/content/fastcdc.js';
import { randomStream, concatStreams } from './data-stream.js';
import { curl } from './curl.js';
import { benchHf, benchHfScale } from './hf.js';
import { Api } from './http-client.js';
import { startChild, type Child } from './processes.js';
import { benchRestore } from './restore.js';
import { benchTus } from './tus.js';
import { scratchRoot } from './scratch.js';
import { benchWebdav } from './webdav.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const ADMIN_PASSWORD = 'bench-admin-password';
const REPS = 5;
const ROOT = scratchRoot();

function print(name: string, value: string | number): void {
  console.log(`${name}: ${typeof value === 'number' ? round(value) : value}`);
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function dirBytes(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  if (!existsSync(dir)) return { bytes, files };
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    bytes += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
    files++;
  }
  return { bytes, files };
}

interface Hub {
  child: Child;
  api: Api;
  dataDir: string;
  base: string;
}

async function startHub(name: string, env: Record<string, string> = {}): Promise<Hub> {
  const dataDir = path.join(ROOT, name);
  const port = await freePort();
  const child = await startChild(
    process.execPath,
    ['bin/hubdrive.js', 'serve'],
    {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      SYS_TOKEN: ADMIN_PASSWORD,
      LOG_LEVEL: 'info',
      FLUSH_INTERVAL: '1',
      ...env,
    },
    /hubdrive is serving/,
  );
  const base = `http://127.0.0.1:${port}`;
  return { child, api: await Api.login(base, 'admin', ADMIN_PASSWORD), dataDir, base };
}

async function stopHub(hub: Hub): Promise<void> {
  await hub.child.stop();
  await fs.rm(hub.dataDir, { recursive: true, force: true });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

async function benchChunker(): Promise<void> {
  const size = 256 * MiB;
  const parts: Buffer[] = [];
  for await (const piece of randomStream(1, size)) parts.push(piece as Buffer);
  const data = Buffer.concat(parts);
  const params = { min: 512 * 1024, avg: 2 * MiB, max: 8 * MiB };
  const chunkTimes: number[] = [];
  const hashTimes: number[] = [];
  for (let i = 0; i < REPS + 1; i++) {
    let t = performance.now();
    const cdc = new FastCdc(params);
    for (let at = 0; at < size; at += MiB) cdc.cuts(data.subarray(at, at + MiB));
    chunkTimes.push((performance.now() - t) / 1000);
    t = performance.now();
    createHash('sha256').update(data).digest();
    hashTimes.push((performance.now() - t) / 1000);
  }
  const chunker = size / MiB / median(chunkTimes.slice(1));
  const sha = size / MiB / median(hashTimes.slice(1));
  print('chunker_mib_s', chunker);
  print('sha256_mib_s', sha);
  print('chunker_vs_sha256', chunker / sha);
}

/** Writes `length` pseudo-random bytes to a file, the same bytes for the same seed. */
async function randomFile(file: string, seed: number, length: number): Promise<void> {
  const handle = await fs.open(file, 'w');
  for await (const piece of randomStream(seed, length)) await handle.write(piece as Buffer);
  await handle.close();
}

/**
 * curl sends and receives for both servers: a fast, neutral client, so that the client is not what
 * limits the figures. Each repetition uses new bytes, so hubdrive cannot deduplicate its way ahead.
 */
/** Chunks of `data` under `params`, as base64 SHA-256 ids with their lengths. */
function chunkIds(data: Buffer, params: { min: number; avg: number; max: number }): Map<string, number> {
  const ids = new Map<string, number>();
  let start = 0;
  const cdc = new FastCdc(params);
  for (const cut of [...cdc.cuts(data), data.length]) {
    if (cut > start)
      ids.set(createHash('sha256').update(data.subarray(start, cut)).digest('base64'), cut - start);
    start = cut;
  }
  return ids;
}

/**
 * How the default chunk sizes were chosen: for a few (min, avg, max) sets, the chunks per GiB (index
 * rows and manifest bytes), the bytes a 1 MiB insertion into 256 MiB re-stores, and chunking speed.
 */
async function benchChunkerParams(): Promise<void> {
  const parts: Buffer[] = [];
  for await (const piece of randomStream(7, 256 * MiB)) parts.push(piece as Buffer);
  const data = Buffer.concat(parts);
  const at = 100 * MiB + 4321;
  const edited = Buffer.concat([data.subarray(0, at), Buffer.alloc(MiB, 7), data.subarray(at)]);
  for (const [name, min, avg, max] of [
    ['256k_1m_4m', 256 * 1024, MiB, 4 * MiB],
    ['512k_2m_8m', 512 * 1024, 2 * MiB, 8 * MiB],
    ['1m_4m_16m', MiB, 4 * MiB, 16 * MiB],
  ] as const) {
    const params = { min, avg, max };
    const start = performance.now();
    const before = chunkIds(data, params);
    const seconds = (performance.now() - start) / 1000;
    let added = 0;
    for (const [id, length] of chunkIds(edited, params)) if (!before.has(id)) added += length;
    print(`params_${name}_chunks_per_gib`, (before.size * 1024) / 256);
    print(`params_${name}_insert_1mib_restored_mib`, added / MiB);
    print(`params_${name}_chunk_and_hash_mib_s`, 256 / seconds);
  }
}

async function benchThroughput(): Promise<void> {
  const plainPort = await freePort();
  const plainDir = path.join(ROOT, 'plain');
  const plain = await startChild(
    process.execPath,
    ['--import', 'tsx', 'bench/plain-server.ts', plainDir, String(plainPort)],
    {},
    /READY/,
  );
  const hub = await startHub('throughput');
  const cookie = `Cookie: ${hub.api.cookieHeader}`;
  const csrf = `X-CSRF-Token: ${hub.api.csrfToken}`;
  const plainUrl = `http://127.0.0.1:${plainPort}`;
  const up = { plain: [] as number[], hub: [] as number[] };
  const down = { plain: [] as number[], hub: [] as number[] };
  for (let rep = 0; rep < REPS; rep++) {
    const source = path.join(ROOT, `source-${rep}.bin`);
    await randomFile(source, 100 + rep, GiB);
    // Alternate which server goes first, so that neither always meets the machine in the same state.
    const runs = [
      async () => {
        up.plain.push(await curl(['-T', source, `${plainUrl}/f${rep}`]));
        down.plain.push(await curl([`${plainUrl}/f${rep}`]));
      },
      async () => {
        const target = `${hub.base}/api/fs/content?path=/f${rep}.bin`;
        up.hub.push(await curl(['-H', cookie, '-H', csrf, '-T', source, target]));
        await hub.api.waitFlushed();
        down.hub.push(await curl(['-H', cookie, target]));
      },
    ];
    for (const run of rep % 2 === 0 ? runs : runs.reverse()) await run();
    await fs.rm(source);
  }
  const mibs = (t: number[]) => 1024 / median(t);
  print('upload_plain_mib_s', mibs(up.plain));
  print('upload_hubdrive_mib_s', mibs(up.hub));
  print('upload_ratio_vs_plain', mibs(up.hub) / mibs(up.plain));
  print('download_plain_mib_s', mibs(down.plain));
  print('download_hubdrive_mib_s', mibs(down.hub));
  print('download_ratio_vs_plain', mibs(down.hub) / mibs(down.plain));
  print('rss_plain_server_peak_mib', plain.peakRss() / MiB);
  print('rss_hubdrive_after_3x1gib_up_down_mib', hub.child.peakRss() / MiB);
  await plain.stop();
  await fs.rm(plainDir, { recursive: true, force: true });
  await stopHub(hub);
}

async function benchMemory(): Promise<void> {
  const peaks: number[] = [];
  for (const gib of [1, 10]) {
    const hub = await startHub(`rss-${gib}`);
    const seconds = await timed(() =>
      hub.api.upload('/big.bin', randomStream(200 + gib, gib * GiB), gib * GiB),
    );
    peaks.push(hub.child.peakRss());
    print(`rss_upload_${gib}gib_peak_mib`, hub.child.peakRss() / MiB);
    print(`upload_${gib}gib_mib_s`, (gib * 1024) / seconds);
    await stopHub(hub);
  }
  print('rss_10gib_vs_1gib', peaks[1]! / peaks[0]!);
}

async function benchDedup(): Promise<void> {
  const hub = await startHub('dedup');
  const packs = () => dirBytes(path.join(hub.dataDir, 'store', 'packs'));
  await hub.api.upload('/a.bin', randomStream(300, GiB), GiB);
  await hub.api.waitFlushed();
  const first = await packs();
  await hub.api.upload('/again.bin', randomStream(300, GiB), GiB);
  await hub.api.waitFlushed();
  const second = await packs();
  print('dedup_same_1gib_growth_percent', ((second.bytes - first.bytes) / first.bytes) * 100);
  await hub.api.json('POST', '/fs/copy', { from: '/a.bin', to: '/copy.bin' });
  await hub.api.waitFlushed();
  print('dedup_copy_1gib_added_bytes', (await packs()).bytes - second.bytes);

  const size = 256 * MiB;
  const at = 100 * MiB + 4321;
  await hub.api.upload('/v.bin', randomStream(301, size), size);
  await hub.api.waitFlushed();
  const before = await packs();
  const edited = concatStreams([
    () => randomStream(301, at),
    () => randomStream(999, MiB),
    () => randomStream(301, size - at, at),
  ]);
  await hub.api.upload('/v.bin', edited, size + MiB);
  await hub.api.waitFlushed();
  print('dedup_1mib_insert_in_256mib_added_mib', ((await packs()).bytes - before.bytes) / MiB);
  await stopHub(hub);
}

async function benchSmallFiles(): Promise<void> {
  const hub = await startHub('small', { FLUSH_INTERVAL: '10' });
  await hub.api.json('POST', '/fs/mkdir', { path: '/small' });
  const count = 10_000;
  const seconds = await timed(async () => {
    for (let i = 0; i < count; i++)
      await hub.api.upload(`/small/f${i}.bin`, randomStream(10_000 + i, 4096), 4096);
  });
  await hub.api.waitFlushed();
  print('small_files_4kib_per_s', count / seconds);
  print('small_files_10000_pack_objects', (await dirBytes(path.join(hub.dataDir, 'store', 'packs'))).files);
  await stopHub(hub);
}

await fs.mkdir(ROOT, { recursive: true });
try {
  print('bench_folder', ROOT);
  // One drive, in the shape every section's startDrive gives.
  const startDrive = async (name: string, env: Record<string, string> = {}) => {
    const hub = await startHub(name, env);
    return {
      base: hub.base,
      username: 'admin',
      password: ADMIN_PASSWORD,
      cookie: hub.api.cookieHeader,
      csrf: hub.api.csrfToken,
      waitFlushed: () => hub.api.waitFlushed(),
      cpuSeconds: () => hub.child.cpuSeconds(),
      peakRss: () => hub.child.peakRss(),
      stop: () => stopHub(hub),
    };
  };
  const deps = { root: ROOT, reps: 3, print, median, randomFile, startDrive };
  const webdav = () => benchWebdav({ ...deps, reps: REPS, freePort });
  const sections = {
    chunker: benchChunker,
    params: benchChunkerParams,
    throughput: benchThroughput,
    memory: benchMemory,
    dedup: benchDedup,
    small: benchSmallFiles,
    hf: () => benchHf(deps),
    hfscale: () => benchHfScale(deps),
    webdav,
    restore: () => benchRestore({ root: ROOT, print }),
    tus: () => benchTus(deps),
  };
  // `npm run bench -- throughput memory` runs only those sections.
  const wanted = process.argv.slice(2);
  for (const [name, run] of Object.entries(sections))
    if (wanted.length === 0 || wanted.includes(name)) await run();
} finally {
  await fs.rm(ROOT, { recursive: true, force: true });
}
