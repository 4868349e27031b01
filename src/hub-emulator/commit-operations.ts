import { REGULAR_FILE_LIMIT, SAMPLE_SIZE, looksBinary } from './content-kind.js';
import type { CommitOperation } from './commit-ndjson.js';
import { folderEntryCounts, isInside, parentOf, type FileEntry, type FileTable } from './file-table.js';
import { gitBlobOid, lfsPointer } from './git-objects.js';
import { HubError, badRequest, entryNotFound } from './hub-error.js';
import type { StoredLfsObject } from './object-store.js';
import { filePathProblem } from './repo-path.js';

export interface CommitRules {
  maxEntriesPerFolder: number;
  lfsObject(sha256: string): StoredLfsObject | undefined;
}

export interface AppliedCommit {
  files: Map<string, FileEntry>;
  /** Contents of the regular files the commit adds, by git blob id. */
  blobs: Map<string, Buffer>;
}

function checkedPath(path: string, what: string): string {
  const problem = filePathProblem(path);
  if (problem) throw badRequest(`${what} ${path}: ${problem}`);
  return path;
}

function removeFolder(files: Map<string, FileEntry>, folder: string): boolean {
  let removed = false;
  for (const path of [...files.keys()]) {
    if (isInside(path, folder)) {
      files.delete(path);
      removed = true;
    }
  }
  return removed;
}

/**
 * Applies a commit's operations to the table of its parent, in order, or throws without side
 * effects. Refused: a regular file over 10 MiB or whose first 512 bytes look binary (the same rule
 * as preupload, so what preupload calls regular passes); an lfsFile whose object this repo does not
 * hold; deleting what does not exist (404, as the Hub); a path that is both a file and a folder; a
 * folder with more than `maxEntriesPerFolder` entries.
 */
export function applyOperations(
  base: FileTable,
  operations: readonly CommitOperation[],
  rules: CommitRules,
): AppliedCommit {
  const files = new Map(base);
  const blobs = new Map<string, Buffer>();
  for (const op of operations) {
    switch (op.kind) {
      case 'file': {
        const path = checkedPath(op.path, 'file');
        if (op.content.length > REGULAR_FILE_LIMIT) {
          throw badRequest(
            `file ${path}: larger than 10 MiB, it must be uploaded with LFS (preupload says "lfs")`,
          );
        }
        if (looksBinary(op.content.subarray(0, SAMPLE_SIZE))) {
          throw badRequest(`file ${path}: binary content must be uploaded with LFS (preupload says "lfs")`);
        }
        const oid = gitBlobOid(op.content);
        blobs.set(oid, op.content);
        files.set(path, { oid, size: op.content.length });
        break;
      }
      case 'lfsFile': {
        const path = checkedPath(op.path, 'lfsFile');
        const stored = rules.lfsObject(op.oid);
        if (!stored) {
          throw new HubError(
            422,
            `lfsFile ${path}: the LFS object ${op.oid} was never uploaded to this repo (or was deleted); upload it through the LFS batch API first`,
          );
        }
        if (stored.size !== op.size) {
          throw new HubError(
            422,
            `lfsFile ${path}: the LFS object ${op.oid} has ${stored.size} bytes, not ${op.size}`,
          );
        }
        const pointer = lfsPointer(op.oid, op.size);
        files.set(path, {
          oid: gitBlobOid(pointer),
          size: op.size,
          lfs: { oid: op.oid, size: op.size, pointerSize: pointer.length },
        });
        break;
      }
      case 'copy': {
        const path = checkedPath(op.path, 'file');
        const source = files.get(op.from);
        if (!source) throw entryNotFound(op.from);
        files.set(path, source);
        break;
      }
      case 'delete': {
        const path = checkedPath(op.path, 'deleted entry');
        if (op.target !== 'folder' && files.delete(path)) break;
        if (op.target !== 'file' && removeFolder(files, path)) break;
        throw entryNotFound(path);
      }
    }
  }
  checkFolderClashes(files);
  for (const [folder, entries] of folderEntryCounts(files)) {
    if (entries > rules.maxEntriesPerFolder) {
      throw badRequest(
        `Too many entries in folder "${folder || '/'}": ${entries}. A folder cannot hold more than ${rules.maxEntriesPerFolder} files and folders; spread them over subfolders.`,
      );
    }
  }
  return { files, blobs };
}

/** A path cannot be a file and a folder at once. */
function checkFolderClashes(files: ReadonlyMap<string, FileEntry>): void {
  const checked = new Set<string>();
  for (const path of files.keys()) {
    for (let dir = parentOf(path); dir !== '' && !checked.has(dir); dir = parentOf(dir)) {
      if (files.has(dir)) throw badRequest(`${dir} is a file, so it cannot also be a folder holding ${path}`);
      checked.add(dir);
    }
  }
}
