import pino from 'pino';
import { HfDatasetStore } from '../../src/blobstore/hf/hf-dataset-store.js';
import type { StoreLimits } from '../../src/blobstore/blob-store.js';
import { startHubEmulator, type HubEmulator, type HubEmulatorOptions } from '../../src/hub-emulator/index.js';
import { defer } from './cleanup.js';
import { tempDir } from './temp.js';

export const HUB_TOKEN = 'hf_emulator';
export const quietLogger = pino({ level: 'silent' });

/** A Hub emulator on a loopback port for this test file, stopped when the file ends. */
export async function startHub(options: Partial<HubEmulatorOptions> = {}): Promise<HubEmulator> {
  const hub = await startHubEmulator({ dir: tempDir('hub'), port: 0, host: '127.0.0.1', ...options });
  defer(() => hub.close());
  return hub;
}

let repos = 0;

/** A fresh dataset repo on the emulator, and a store on it. */
export async function hubStore(
  hub: HubEmulator,
  options: { limits?: Partial<StoreLimits>; commitsPerHour?: number } = {},
): Promise<{ store: HfDatasetStore; repo: string; open(): Promise<HfDatasetStore> }> {
  const repo = `emulator/store-${process.pid}-${++repos}`;
  await hub.createRepo(repo, { private: true });
  const open = () =>
    HfDatasetStore.open({
      hubUrl: hub.url,
      token: HUB_TOKEN,
      repo,
      createRepo: false,
      commitsPerHour: options.commitsPerHour ?? 1000,
      logger: quietLogger,
      limits: options.limits,
    });
  return { store: await open(), repo, open };
}

/** Environment for a whole drive on the emulator (STORE=hf through the guide's variables). */
export function hubEnv(hub: HubEmulator, repo: string): Record<string, string> {
  return { HF_ENDPOINT: hub.url, HF_TOKEN: HUB_TOKEN, HF_DATASET_REPO: repo, HF_CREATE_REPO: '1' };
}
