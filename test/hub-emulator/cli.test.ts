import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { tempDir } from '../helpers/temp.js';

test('hubdrive hub-emulator serves until SIGTERM and prints its URL and default token', async () => {
  const dir = tempDir('hub-emulator-cli');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'hub-emulator', '--dir', dir, '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = once(child, 'exit');
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 15_000);
      child.stdout.on('data', () => {
        const match = /serving (http:\/\/\S+)/.exec(output);
        if (match && output.includes('hf_emulator')) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const me = await fetch(`${url}/api/whoami-v2`, { headers: { Authorization: 'Bearer hf_emulator' } });
    assert.equal(((await me.json()) as { name: string }).name, 'emulator');
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await exited;
  assert.equal(code, 0);
  assert.match(output, /stopped/);
});
