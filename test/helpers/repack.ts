import assert from 'node:assert/strict';
import type { Hubdrive } from '../../src/app/hubdrive.js';
import { readAll, streamOf, type OpenDrive } from './drive.js';

export { hookedStore } from './hooked-store.js';

/** Keys of the packs the store holds, sorted. */
export async function storeObjects(app: Hubdrive): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of app.store.list('packs/')) keys.push(object.key);
  return keys.sort();
}

/**
 * Metadata agrees with itself and with the store: each chunk's refcount is the number of manifest
 * entries that use it, each pack's live bytes are its referenced chunks' bytes, and every chunk row
 * points at a committed, unretired pack that the store holds.
 */
export async function assertConsistent(app: Hubdrive): Promise<void> {
  const uses = new Map<string, number>();
  for (const { chunks } of await app.db.selectFrom('manifests').select('chunks').execute()) {
    for (let at = 0; at < chunks.length; at += 36) {
      const hex = chunks.subarray(at, at + 32).toString('hex');
      uses.set(hex, (uses.get(hex) ?? 0) + 1);
    }
  }
  const rows = await app.db.selectFrom('chunks').selectAll().execute();
  const byId = new Map(rows.map((r) => [r.id.toString('hex'), r]));
  for (const hex of uses.keys()) assert.ok(byId.has(hex), `chunk ${hex} used by a manifest has no row`);
  const live = new Map<number, number>();
  for (const row of rows) {
    const hex = row.id.toString('hex');
    assert.equal(row.refcount, uses.get(hex) ?? 0, `refcount of chunk ${hex}`);
    if (row.refcount > 0) live.set(row.pack_id, (live.get(row.pack_id) ?? 0) + row.stored_length);
  }
  const packs = await app.db.selectFrom('packs').selectAll().execute();
  for (const pack of packs)
    assert.equal(pack.live_bytes, live.get(pack.id) ?? 0, `live bytes of pack ${pack.id}`);
  for (const packId of new Set(rows.map((r) => r.pack_id))) {
    const pack = packs.find((p) => p.id === packId);
    assert.ok(pack, `chunks point at pack ${packId}, which has no record`);
    assert.equal(pack.state, 'committed');
    assert.equal(pack.retired_at, null, `chunks point at retired pack ${packId}`);
    assert.ok(await app.store.stat(pack.key!), `pack ${pack.key} is missing from the store`);
  }
}

/** A gate a hook waits at: `reached` resolves when something arrives, `open()` lets it through. */
export function gate(): { reached: Promise<void>; arrive(): Promise<void>; open(): void } {
  let arrived!: () => void;
  let opened!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const passage = new Promise<void>((resolve) => (opened = resolve));
  return {
    reached,
    arrive() {
      arrived();
      return passage;
    },
    open: () => opened(),
  };
}

/** Manual repack runs only (the trigger is tested on its own), and no grace period to wait out. */
export const MANUAL = { threshold: 1_000_000, graceMs: 0 };

export async function writeFlushed(drive: OpenDrive, path: string, data: Buffer): Promise<void> {
  await drive.app.drive.files.write(drive.admin, path, streamOf(data));
  await drive.app.engine.flush();
}

export async function readFile(drive: OpenDrive, path: string): Promise<Buffer> {
  return readAll((await drive.app.drive.files.open(drive.admin, path)).stream());
}

export async function purge(drive: OpenDrive, path: string): Promise<void> {
  await drive.app.drive.tree.remove(drive.admin, path);
  await drive.app.drive.trash.empty(drive.admin);
}
