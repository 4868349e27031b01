import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defer } from './cleanup.js';

/** A fresh folder removed when the test file ends. */
export function tempDir(label = 'hubdrive-test'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${label}-`));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
