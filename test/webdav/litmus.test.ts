import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { ADMIN_PASSWORD, startApp } from '../helpers/app.js';
import { ApiClient } from '../helpers/client.js';
import { tempDir } from '../helpers/temp.js';
import { createUser } from '../http/support.js';

const LITMUS = '/usr/bin/litmus';
/** What each suite of litmus 0.13 has: every test must run (none skipped) and pass. */
const EXPECTED: Record<string, number> = { basic: 16, copymove: 13, props: 30, locks: 41, http: 4 };
// A safety net for a hung run, not a speed assertion.
const KILL_AFTER_MS = 10 * 60_000;

interface Summary {
  line: string;
  run: number;
  passed: number;
  failed: number;
}

/** Runs litmus (in its own folder: it writes debug.log and child.log there) and collects its output. */
function runLitmus(url: string, username: string, password: string): Promise<string> {
  const cwd = tempDir('hubdrive-litmus');
  return new Promise((resolve, reject) => {
    const child = spawn(LITMUS, ['-k', url, username, password], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

/** The "summary for `suite'" lines: with -k litmus exits 0 whatever fails, so these are the verdict. */
function summaries(output: string): Map<string, Summary> {
  const found = new Map<string, Summary>();
  const pattern = /summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed.*/g;
  for (const match of output.matchAll(pattern)) {
    found.set(match[1]!, {
      line: match[0],
      run: Number(match[2]),
      passed: Number(match[3]),
      failed: Number(match[4]),
    });
  }
  return found;
}

/** The lines of tests that did not pass, with litmus's reason on the line after each. */
function failures(output: string): string {
  const lines = output.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (/\b(FAIL|SKIPPED|WARNING)\b/.test(line)) out.push(line, lines[i + 1] ?? '');
  });
  return out.join('\n');
}

test(
  'litmus 0.13 passes every test of every suite',
  { skip: !existsSync(LITMUS) && 'litmus is not installed' },
  async () => {
    const app = await startApp();
    const admin = await ApiClient.login(app.url, 'admin', ADMIN_PASSWORD);
    await createUser(admin, 'litmus', 'litmus-password-1');

    const output = await runLitmus(`${app.url}/dav/`, 'litmus', 'litmus-password-1');
    const found = summaries(output);
    for (const summary of found.values()) console.log(summary.line);

    const problems = failures(output);
    for (const [suite, count] of Object.entries(EXPECTED)) {
      const summary = found.get(suite);
      assert.ok(summary, `no summary for ${suite}; litmus said:\n${output}`);
      assert.equal(summary.run, count, `${suite}: ${summary.line}\n${problems}`);
      assert.equal(summary.passed, count, `${suite}: ${summary.line}\n${problems}`);
      assert.equal(summary.failed, 0, `${suite}: ${summary.line}\n${problems}`);
    }
    assert.equal((await fetch(`${app.url}/healthz`)).status, 200, 'the server is down after litmus');
  },
);
