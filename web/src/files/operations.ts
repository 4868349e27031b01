import { api } from '../api/client';
import type { Entry } from '../api/types';
import { joinPath } from '../ui/paths';

/** The drive's file operations, one API call each (see the README's HTTP API). */

export function makeFolder(folder: string, name: string): Promise<Entry> {
  return api<Entry>('/fs/mkdir', { body: { path: joinPath(folder, name) } });
}

export function rename(entry: Entry, parent: string, name: string): Promise<Entry> {
  return api<Entry>('/fs/move', { body: { from: entry.path, to: joinPath(parent, name) } });
}

export function moveInto(entry: Entry, folder: string): Promise<Entry> {
  return api<Entry>('/fs/move', { body: { from: entry.path, to: joinPath(folder, entry.name) } });
}

export function copyInto(entry: Entry, folder: string): Promise<Entry> {
  return api<Entry>('/fs/copy', { body: { from: entry.path, to: joinPath(folder, entry.name) } });
}

export function trash(entry: Entry): Promise<void> {
  return api<void>('/fs/delete', { body: { path: entry.path } });
}

/** One at a time, in order; stops at the first failure, which names the entry it failed on. */
export async function eachInTurn(
  entries: Entry[],
  work: (entry: Entry) => Promise<unknown>,
): Promise<number> {
  let done = 0;
  for (const entry of entries) {
    try {
      await work(entry);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${entry.name}: ${message}`);
    }
    done += 1;
  }
  return done;
}

/** A streamed zip of a selection, by a short-lived ticket (the browser follows the link to save it). */
export async function archiveUrl(paths: string[]): Promise<string> {
  const { url } = await api<{ url: string }>('/fs/archive', { body: { paths } });
  return url;
}
