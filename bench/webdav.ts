// `npm run bench -- webdav`: hubdrive's WebDAV server beside `rclone serve webdav` on a folder of the
// same tmpfs, both driven by curl: 1 GiB GET and PUT, hubdrive's peak memory during them, and a Depth 1
// PROPFIND of a 10,000-entry folder.
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { curl } from './curl.js';
import { startChild } from './processes.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const ENTRIES = 10_000;
const RCLONE = '/usr/bin/rclone';
const RCLONE_USER = 'bench';
const RCLONE_PASSWORD = 'bench-rclone-password';

export interface WebdavBenchDeps {
  root: string;
  reps: number;
  print(name: string, value: number | string): void;
  median(values: number[]): number;
  randomFile(file: string, seed: number, length: number): Promise<void>;
  freePort(): Promise<number>;
  startDrive(name: string): Promise<{
    base: string;
    username: string;
    password: string;
    /** Peak resident memory of the server process so far (VmHWM), in bytes. */
    peakRss(): number;
    waitFlushed(): Promise<void>;
    stop(): Promise<void>;
  }>;
}

/** A WebDAV server under test: where its collection is, and curl's credentials for it. */
interface Dav {
  url: string;
  user: string;
}

// What rclone's own WebDAV client asks for in a listing.
const PROPFIND_BODY = `<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:">
 <d:prop>
  <d:displayname/><d:getlastmodified/><d:getcontentlength/><d:resourcetype/><d:getcontenttype/>
 </d:prop>
</d:propfind>
`;

/** PUTs `count` small files into a collection, over a few keep-alive connections at once. */
async function putMany(dav: Dav, folder: string, count: number, parallel = 8): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  const authorization = `Basic ${Buffer.from(dav.user).toString('base64')}`;
  const put = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = `entry ${i}\n`;
      const request = http.request(
        `${dav.url}${folder}/f${String(i).padStart(5, '0')}.txt`,
        { method: 'PUT', agent, headers: { authorization, 'content-length': Buffer.byteLength(body) } },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 201 || response.statusCode === 204
              ? resolve()
              : reject(new Error(`PUT ${i}: ${response.statusCode}`)),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  let next = 0;
  const worker = async () => {
    while (next < count) await put(next++);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  agent.destroy();
}

/** One Depth 1 PROPFIND through curl; checks that every entry is in the answer. */
async function propfind(dav: Dav, folder: string, body: string | null, scratch: string): Promise<number> {
  const output = path.join(scratch, 'propfind.xml');
  const args = ['-u', dav.user, '-X', 'PROPFIND', '-H', 'Depth: 1'];
  if (body !== null) args.push('-H', 'Content-Type: application/xml', '--data-binary', body);
  const seconds = await curl([...args, `${dav.url}${folder}/`], output);
  // A count of response elements (one href each), to see that nothing was left out; not a parse.
  const hrefs = (await fs.readFile(output, 'utf8')).match(/<(\w+:)?href>/g)?.length ?? 0;
  if (hrefs !== ENTRIES + 1) throw new Error(`PROPFIND of ${dav.url}${folder}/ gave ${hrefs} hrefs`);
  await fs.rm(output);
  return seconds;
}

export async function benchWebdav(deps: WebdavBenchDeps): Promise<void> {
  const { print, median } = deps;
  const rcloneDir = path.join(deps.root, 'webdav-rclone');
  await fs.mkdir(rcloneDir, { recursive: true });
  // rclone's 10,000 entries are written straight to its folder, before it starts: it caches listings.
  const manyDir = path.join(rcloneDir, 'many');
  await fs.mkdir(manyDir);
  for (let i = 0; i < ENTRIES; i += 500) {
    const batch = Array.from({ length: Math.min(500, ENTRIES - i) }, (_, k) => i + k);
    await Promise.all(
      batch.map((n) =>
        fs.writeFile(path.join(manyDir, `f${String(n).padStart(5, '0')}.txt`), `entry ${n}\n`),
      ),
    );
  }
  const port = await deps.freePort();
  // rclone logs to stderr; through sh, its readiness line reaches the stdout startChild watches.
  const rclone = await startChild(
    'sh',
    [
      '-c',
      'exec "$0" "$@" 2>&1',
      RCLONE,
      'serve',
      'webdav',
      rcloneDir,
      '--addr',
      `127.0.0.1:${port}`,
      '--user',
      RCLONE_USER,
      '--pass',
      RCLONE_PASSWORD,
      '--config',
      '',
    ],
    {},
    /WebDav Server started/i,
  );
  const hub = await deps.startDrive('webdav');
  const peer: Dav = { url: `http://127.0.0.1:${port}/`, user: `${RCLONE_USER}:${RCLONE_PASSWORD}` };
  const ours: Dav = { url: `${hub.base}/dav/`, user: `${hub.username}:${hub.password}` };

  try {
    const up = { rclone: [] as number[], hub: [] as number[] };
    const down = { rclone: [] as number[], hub: [] as number[] };
    for (let rep = 0; rep < deps.reps; rep++) {
      const source = path.join(deps.root, `webdav-source-${rep}.bin`);
      await deps.randomFile(source, 500 + rep, GiB);
      // Alternate which server goes first, so that neither always meets the machine in the same state.
      const runs = [
        async () => {
          up.rclone.push(await curl(['-u', peer.user, '-T', source, `${peer.url}g${rep}.bin`]));
          down.rclone.push(await curl(['-u', peer.user, `${peer.url}g${rep}.bin`]));
          await fs.rm(path.join(rcloneDir, `g${rep}.bin`));
        },
        async () => {
          up.hub.push(await curl(['-u', ours.user, '-T', source, `${ours.url}g${rep}.bin`]));
          await hub.waitFlushed();
          down.hub.push(await curl(['-u', ours.user, `${ours.url}g${rep}.bin`]));
        },
      ];
      for (const run of rep % 2 === 0 ? runs : runs.reverse()) await run();
      await fs.rm(source);
    }
    const mibs = (t: number[]) => 1024 / median(t);
    print('webdav_get_rclone_mib_s', mibs(down.rclone));
    print('webdav_get_hubdrive_mib_s', mibs(down.hub));
    print('webdav_get_ratio_vs_rclone', mibs(down.hub) / mibs(down.rclone));
    print('webdav_put_rclone_mib_s', mibs(up.rclone));
    print('webdav_put_hubdrive_mib_s', mibs(up.hub));
    print('webdav_put_ratio_vs_rclone', mibs(up.hub) / mibs(up.rclone));
    print('webdav_rss_hubdrive_peak_mib', hub.peakRss() / MiB);
    print('webdav_rss_rclone_peak_mib', rclone.peakRss() / MiB);

    // The 10,000 entries: PUT over WebDAV into hubdrive (rclone's were written before it started).
    await curl(['-u', ours.user, '-X', 'MKCOL', `${ours.url}many`]);
    const start = performance.now();
    await putMany(ours, 'many', ENTRIES);
    print('webdav_put_10000_small_files_per_s', ENTRIES / ((performance.now() - start) / 1000));
    await hub.waitFlushed();

    for (const [label, body] of [
      ['props', PROPFIND_BODY],
      ['allprop', null],
    ] as const) {
      const times = { rclone: [] as number[], hub: [] as number[] };
      // One untimed round first: both servers warm their caches.
      await propfind(peer, 'many', body, deps.root);
      await propfind(ours, 'many', body, deps.root);
      for (let rep = 0; rep < deps.reps; rep++) {
        const runs = [
          async () => times.rclone.push(await propfind(peer, 'many', body, deps.root)),
          async () => times.hub.push(await propfind(ours, 'many', body, deps.root)),
        ];
        for (const run of rep % 2 === 0 ? runs : runs.reverse()) await run();
      }
      print(`webdav_propfind_10000_${label}_rclone_ms`, median(times.rclone) * 1000);
      print(`webdav_propfind_10000_${label}_hubdrive_ms`, median(times.hub) * 1000);
      print(`webdav_propfind_10000_${label}_time_vs_rclone`, median(times.hub) / median(times.rclone));
    }
    print('webdav_rss_hubdrive_peak_after_propfind_mib', hub.peakRss() / MiB);
  } finally {
    await hub.stop();
    await rclone.stop();
    await fs.rm(rcloneDir, { recursive: true, force: true });
  }
}
