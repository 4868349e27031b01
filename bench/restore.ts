// `npm run bench -- restore`: the metadata of 100,000 files restored from the Hub emulator onto a
// wiped DATA_DIR, beside the peer: a plain download and gunzip of the same snapshot object.
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createHubdrive } from '../src/app/hubdrive.js';
import { loadConfig } from '../src/config/config.js';
import { startHubEmulator } from '../src/hub-emulator/index.js';

const TOKEN = 'hf_emulator';
const FILES = 100_000;
const FOLDERS = 100;
const PASSWORD = 'bench-admin-password';

export interface RestoreBenchDeps {
  root: string;
  print(name: string, value: number | string): void;
}

export async function benchRestore(deps: RestoreBenchDeps): Promise<void> {
  const hub = await startHubEmulator({
    dir: path.join(deps.root, 'hub-restore'),
    port: 0,
    host: '127.0.0.1',
  });
  const repo = 'emulator/restore';
  const dataDir = path.join(deps.root, 'restore-data');
  const config = loadConfig({
    DATA_DIR: dataDir,
    HF_ENDPOINT: hub.url,
    HF_TOKEN: TOKEN,
    HF_DATASET_REPO: repo,
    HF_CREATE_REPO: '1',
    SYS_TOKEN: PASSWORD,
    LOG_LEVEL: 'silent',
    GC_INTERVAL: '0',
  });
  // LOG_LEVEL silent: createHubdrive's own logger says nothing.
  const app = await createHubdrive(config);
  const admin = await app.drive.users.authenticate('admin', PASSWORD);
  const started = performance.now();
  for (let d = 0; d < FOLDERS; d++) await app.drive.tree.mkdir(admin, `/d${d}`);
  // 100,000 distinct small files: a node, a version, a manifest and a chunk each.
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < FILES) {
        const i = next++;
        await app.drive.files.write(
          admin,
          `/d${i % FOLDERS}/file-${i}.txt`,
          Readable.from([Buffer.from(`file ${i}\n`)]),
        );
      }
    }),
  );
  deps.print('restore_setup_files_per_second', FILES / ((performance.now() - started) / 1000));
  // A clean stop: everything flushed, and a last snapshot.
  await app.close();
  const snapshots: { key: string; size: number }[] = [];
  for await (const object of app.store.list('meta/snapshot/')) snapshots.push(object);
  const newest = snapshots.sort((a, b) => a.key.localeCompare(b.key)).at(-1)!;
  deps.print('restore_snapshot_bytes', newest.size);
  const dbBytes = (await fs.stat(path.join(dataDir, 'hubdrive.db'))).size;
  deps.print('restore_database_bytes', dbBytes);

  // The peer: the snapshot object fetched and unpacked with nothing else done.
  const peerStarted = performance.now();
  const response = await fetch(`${hub.url}/datasets/${repo}/resolve/main/${newest.key}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  await pipeline(
    Readable.fromWeb(response.body! as WebReadableStream),
    createGunzip(),
    createWriteStream(path.join(deps.root, 'restore-peer.db')),
  );
  const peerSeconds = (performance.now() - peerStarted) / 1000;

  await fs.rm(dataDir, { recursive: true, force: true });
  const restoreStarted = performance.now();
  const again = await createHubdrive(config);
  const restoreSeconds = (performance.now() - restoreStarted) / 1000;
  const { files } = await again.db
    .selectFrom('nodes')
    .select((eb) => eb.fn.countAll<number>().as('files'))
    .where('kind', '=', 'file')
    .executeTakeFirstOrThrow();
  await again.close();
  if (files !== FILES) throw new Error(`the restored drive holds ${files} files`);
  deps.print('restore_100k_files_seconds (start-up on a wiped DATA_DIR, goal <= 10)', restoreSeconds);
  deps.print('restore_peer_download_and_gunzip_seconds', peerSeconds);
  deps.print('restore_ratio_to_peer', restoreSeconds / peerSeconds);
  await hub.close();
  await fs.rm(path.join(deps.root, 'restore-peer.db'), { force: true });
  await fs.rm(dataDir, { recursive: true, force: true });
}
