import { startHubEmulator, type HubEmulator, type HubEmulatorOptions } from '../../src/hub-emulator/index.js';
import { defer } from '../helpers/cleanup.js';
import { tempDir } from '../helpers/temp.js';

export const TOKEN = 'hf_emulator';
export const REPO = 'emulator/drive';
export const MiB = 1024 * 1024;

export const dataset = (name = REPO) => ({ type: 'dataset' as const, name });

export interface Started {
  emulator: HubEmulator;
  hubUrl: string;
  dir: string;
}

/** An emulator on loopback over a fresh folder, closed when the test file ends. */
export async function startEmulator(options: Partial<HubEmulatorOptions> = {}): Promise<Started> {
  const dir = options.dir ?? tempDir('hub-emulator');
  const emulator = await startHubEmulator({ ...options, dir });
  defer(() => emulator.close());
  return { emulator, hubUrl: emulator.url, dir };
}

/** A fetch that records what it sends (method and URL), for tests that check which calls were made. */
export function recordingFetch(): { fetch: typeof fetch; calls: { method: string; url: string }[] } {
  const calls: { method: string; url: string }[] = [];
  const recording: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    calls.push({ method: init?.method ?? (input instanceof Request ? input.method : 'GET'), url });
    return fetch(input, init);
  };
  return { fetch: recording, calls };
}

export function bearer(token = TOKEN): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** Posts an NDJSON commit as the client does, line by line. */
export function rawCommit(
  hubUrl: string,
  lines: object[],
  options: { repo?: string; token?: string } = {},
): Promise<Response> {
  return fetch(`${hubUrl}/api/datasets/${options.repo ?? REPO}/commit/main`, {
    method: 'POST',
    headers: { ...bearer(options.token), 'Content-Type': 'application/x-ndjson' },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
}

export const header = (summary: string, parentCommit?: string) => ({
  key: 'header',
  value: { summary, ...(parentCommit ? { parentCommit } : {}) },
});

export const inlineFile = (path: string, content: string | Buffer) => ({
  key: 'file',
  value: { path, content: Buffer.from(content).toString('base64'), encoding: 'base64' },
});

/** The head commit of main, as the Hub's dataset info says. */
export async function headOf(hubUrl: string, repo = REPO, token = TOKEN): Promise<string> {
  const response = await fetch(`${hubUrl}/api/datasets/${repo}/revision/main`, { headers: bearer(token) });
  if (!response.ok) throw new Error(`dataset info: ${response.status}`);
  return ((await response.json()) as { sha: string }).sha;
}

/** The LFS batch API, as the client calls it. */
export async function lfsBatch(
  hubUrl: string,
  objects: { oid: string; size: number }[],
  options: { repo?: string; token?: string; operation?: 'upload' | 'download' } = {},
): Promise<Response> {
  return fetch(`${hubUrl}/datasets/${options.repo ?? REPO}.git/info/lfs/objects/batch`, {
    method: 'POST',
    headers: { ...bearer(options.token), 'Content-Type': 'application/vnd.git-lfs+json' },
    body: JSON.stringify({
      operation: options.operation ?? 'upload',
      transfers: ['basic', 'multipart', 'xet'],
      hash_algo: 'sha_256',
      objects,
    }),
  });
}

export interface LfsObjectReply {
  oid: string;
  size: number;
  error?: { code: number; message: string };
  actions?: { upload?: { href: string; header?: Record<string, string> }; download?: { href: string } };
}
