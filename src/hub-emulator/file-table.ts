/** Where an LFS file's bytes are: its SHA-256 (the LFS oid), size, and the size of its pointer file. */
export interface LfsInfo {
  oid: string;
  size: number;
  pointerSize: number;
}

/**
 * One file of a commit. `oid` is the git blob id (for an LFS file, the id of its pointer file, as on
 * the Hub); `size` is the size of the content, LFS or not.
 */
export interface FileEntry {
  oid: string;
  size: number;
  lfs?: LfsInfo;
}

/** A commit's files: path → entry. Folders exist only as prefixes of paths, as in git. */
export type FileTable = ReadonlyMap<string, FileEntry>;

/** The folder holding `path`: '' for the top level. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Whether `path` is inside folder `dir` ('' is the root, which holds everything). */
export function isInside(path: string, dir: string): boolean {
  return dir === '' || path.startsWith(`${dir}/`);
}

/** Every folder of the table (not the root). */
export function foldersOf(table: FileTable): Set<string> {
  const folders = new Set<string>();
  for (const path of table.keys()) {
    for (let dir = parentOf(path); dir !== '' && !folders.has(dir); dir = parentOf(dir)) folders.add(dir);
  }
  return folders;
}

/** How many entries (files and folders) each folder holds directly; the root is ''. */
export function folderEntryCounts(table: FileTable): Map<string, number> {
  const children = new Map<string, Set<string>>([['', new Set()]]);
  for (const path of table.keys()) {
    let child = path;
    for (;;) {
      const dir = parentOf(child);
      let names = children.get(dir);
      const known = names !== undefined;
      if (!names) children.set(dir, (names = new Set()));
      names.add(baseName(child));
      // A folder seen before already counts in its own parent, and so on up.
      if (dir === '' || known) break;
      child = dir;
    }
  }
  return new Map([...children].map(([dir, names]) => [dir, names.size]));
}

/** The folder with the most entries. */
export function largestFolder(table: FileTable): { path: string; entries: number } {
  let best = { path: '', entries: 0 };
  for (const [path, entries] of folderEntryCounts(table))
    if (entries > best.entries) best = { path, entries };
  return best;
}
