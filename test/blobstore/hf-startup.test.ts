import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import pino from 'pino';
import { HfDatasetStore } from '../../src/blobstore/hf/hf-dataset-store.js';
import { StoreInitError } from '../../src/blobstore/hf/startup-checks.js';
import type { HubEmulator } from '../../src/hub-emulator/index.js';
import { defer } from '../helpers/cleanup.js';
import { HUB_TOKEN, quietLogger, startHub } from '../helpers/hub.js';

const WRITER = 'hf_finewriter';
const READER = 'hf_finereader';

/** An emulator with fine-grained tokens of the user `emulator`, scoped to one repo each. */
async function fineGrainedHub(): Promise<HubEmulator> {
  const hub = await startHub({
    tokens: [
      { token: HUB_TOKEN, role: 'write', user: 'emulator' },
      { token: WRITER, role: 'fineGrained', user: 'emulator', repos: { 'emulator/drive': 'write' } },
      { token: READER, role: 'fineGrained', user: 'emulator', repos: { 'emulator/drive': 'read' } },
    ],
  });
  await hub.createRepo('emulator/drive', { private: true });
  await hub.createRepo('emulator/hidden', { private: true });
  return hub;
}

/** A logger whose lines are kept, to look at what start-up says. */
function recordingLogger(): { logger: pino.Logger; lines: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines: () => chunks.join('') };
}

function open(
  hub: HubEmulator,
  options: { token: string; repo: string; createRepo?: boolean; logger?: pino.Logger },
): Promise<HfDatasetStore> {
  return HfDatasetStore.open({
    hubUrl: hub.url,
    token: options.token,
    repo: options.repo,
    createRepo: options.createRepo ?? false,
    commitsPerHour: 100,
    logger: options.logger ?? quietLogger,
  });
}

function initError(pattern: RegExp, secret?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof StoreInitError, `a StoreInitError, not ${String(error)}`);
    assert.match(error.message, /^Failed to initialize Datasets storage: /);
    assert.match(error.message, pattern);
    if (secret) assert.ok(!error.message.includes(secret), 'the token is not in the message');
    return true;
  };
}

describe('start-up checks: fine-grained tokens', () => {
  test('a fine-grained token that may write to the repo opens the store, and nothing is uploaded', async () => {
    const hub = await fineGrainedHub();
    const before = await hub.stats('emulator/drive');
    const store = await open(hub, { token: WRITER, repo: 'emulator/drive' });
    await store.close();
    const after = await hub.stats('emulator/drive');
    assert.equal(after.lfsObjects, before.lfsObjects);
    assert.equal(after.commits, before.commits);
  });

  test('a fine-grained token that can only read the repo stops start-up, naming the repo', async () => {
    const hub = await fineGrainedHub();
    await assert.rejects(
      open(hub, { token: READER, repo: 'emulator/drive' }),
      initError(/HF_TOKEN cannot write to emulator\/drive \(the Hub answered 403/, READER),
    );
  });

  test('a fine-grained token that cannot see the repo: missing, or existing but hidden on create', async () => {
    const hub = await fineGrainedHub();
    await assert.rejects(
      open(hub, { token: WRITER, repo: 'emulator/hidden' }),
      initError(/the dataset repo emulator\/hidden does not exist \(or HF_TOKEN cannot see it\)/),
    );
    await assert.rejects(
      open(hub, { token: WRITER, repo: 'emulator/hidden', createRepo: true }),
      initError(/the dataset repo emulator\/hidden exists, but HF_TOKEN cannot see it/, WRITER),
    );
  });
});

describe('start-up checks: the repo and the Hub', () => {
  test('a public repo opens, with a warning in the log that does not show the token', async () => {
    const hub = await startHub();
    await hub.createRepo('emulator/open-drive', { private: false });
    const { logger, lines } = recordingLogger();
    const store = await open(hub, { token: HUB_TOKEN, repo: 'emulator/open-drive', logger });
    await store.close();
    const warnings = lines()
      .split('\n')
      .filter((line) => line.includes('"level":40'));
    assert.equal(warnings.length, 1, lines());
    assert.match(warnings[0]!, /the dataset repo is public/);
    assert.match(warnings[0]!, /emulator\/open-drive/);
    assert.ok(!lines().includes(HUB_TOKEN), 'the token is never logged');
  });

  test('a private repo opens without a warning', async () => {
    const hub = await startHub();
    await hub.createRepo('emulator/closed-drive', { private: true });
    const { logger, lines } = recordingLogger();
    const store = await open(hub, { token: HUB_TOKEN, repo: 'emulator/closed-drive', logger });
    await store.close();
    assert.ok(!lines().includes('"level":40'), lines());
  });

  test('a creation the Hub refuses is a StoreInitError that names it', async () => {
    const hub = await startHub();
    await assert.rejects(
      open(hub, { token: HUB_TOKEN, repo: 'someone-else/drive', createRepo: true }),
      initError(/the dataset repo someone-else\/drive could not be created \(.*rights.*"someone-else"/),
    );
  });

  test('an HF_ENDPOINT that is not the Hub is a StoreInitError that says so', async () => {
    // A web page where the Hub's API should be: a common slip in HF_ENDPOINT.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>Welcome</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await assert.rejects(
      HfDatasetStore.open({
        hubUrl: url,
        token: HUB_TOKEN,
        repo: 'emulator/drive',
        createRepo: false,
        commitsPerHour: 100,
        logger: quietLogger,
      }),
      initError(
        new RegExp(
          `the Hub at ${url.replace(/\./g, '\\.')} could not be reached, or did not answer as the Hub does`,
        ),
        HUB_TOKEN,
      ),
    );
  });
});
