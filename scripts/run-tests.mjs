#!/usr/bin/env node
// Runs every test file with node's test runner (through tsx). Suites that need a Debian tool that is
// missing are skipped, and the skip is said plainly, with the apt-get line that brings the tool.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Test files (or folders) that need an outside program, and the Debian package that provides it. */
const NEEDS = [
  { path: 'test/webdav/litmus.test.ts', command: '/usr/bin/litmus', pkg: 'litmus' },
  { path: 'test/webdav/rclone.test.ts', command: '/usr/bin/rclone', pkg: 'rclone' },
  { path: 'test/meta/webdav-backup.test.ts', command: '/usr/bin/rclone', pkg: 'rclone' },
  { path: 'test/meta/wipe-webdav.test.ts', command: '/usr/bin/rclone', pkg: 'rclone' },
  // The browser tests drive Debian's chromium through playwright-core.
  { path: 'test/web', command: '/usr/bin/chromium', pkg: 'chromium' },
];

function has(command) {
  try {
    accessSync(command, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...find(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const requested = process.argv.slice(2);
let files = (requested.length > 0 ? requested : find('test').sort()).map((f) => path.normalize(f));
const skipped = [];
for (const need of NEEDS) {
  if (has(need.command)) continue;
  skipped.push(need);
  // A folder's path covers the files below it (test/web, not test/webdav).
  files = files.filter((f) => f !== need.path && !f.startsWith(`${need.path}${path.sep}`));
}

// With no file left, `node --test` would run every test it finds; run nothing instead.
const result =
  files.length === 0
    ? { status: 0 }
    : spawnSync(
        process.execPath,
        ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
        { stdio: 'inherit' },
      );

if (skipped.length > 0) {
  console.log('\nSkipped suites (a tool they need is not installed):');
  for (const s of skipped) console.log(`  ${s.path}: needs ${s.command}`);
  console.log(`Install with: sudo apt-get install -y ${[...new Set(skipped.map((s) => s.pkg))].join(' ')}`);
}
process.exit(result.status ?? 1);
