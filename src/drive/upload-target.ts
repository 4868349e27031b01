import { BadRequestError, ConflictError } from '../errors/domain-error.js';
import { formatPath, parsePath } from './names.js';
import { child, nodeById, type Db } from './node-queries.js';
import type { User } from './users.js';
import { checkTarget } from './files.js';

/** The client's Upload-Metadata: tus keys with their decoded values (null: a key without value). */
export type UploadMetadata = Record<string, string | null>;

/** Where a finished upload goes. */
export interface UploadTarget {
  /** The full drive path, normalized ("/Photos/trip/a.jpg"). */
  path: string;
  /** true: a new version of a file already there; false: refused when one is. */
  overwrite: boolean;
}

export class InvalidUploadMetadataError extends BadRequestError {
  constructor(message: string) {
    super(message, 'INVALID_UPLOAD_METADATA');
  }
}

/**
 * Reads the target from the metadata: `path` (required) and `overwrite` ("true", the default, or
 * "false"). `filename` and `filetype` may be there too; they only inform.
 */
export function uploadTarget(metadata: UploadMetadata): UploadTarget {
  const raw = metadata.path;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new InvalidUploadMetadataError('Upload-Metadata needs "path": the full drive path of the file');
  }
  // Throws InvalidNameError (400) with what is wrong with which name.
  const names = parsePath(raw);
  if (names.length === 0)
    throw new InvalidUploadMetadataError('"path" must name a file below the root folder');
  const overwrite = metadata.overwrite ?? 'true';
  if (overwrite !== 'true' && overwrite !== 'false') {
    throw new InvalidUploadMetadataError('"overwrite" must be "true" or "false"');
  }
  return { path: formatPath(names), overwrite: overwrite === 'true' };
}

/**
 * Checks that the file could be written now: each folder on the way that exists is a folder (the
 * missing ones will be made), and what is at the path is a file that may be overwritten, or nothing.
 */
export async function checkUploadTarget(db: Db, user: User, target: UploadTarget): Promise<void> {
  const names = parsePath(target.path);
  let node = await nodeById(db, user.rootId);
  if (!node) return;
  for (let i = 0; i < names.length - 1; i++) {
    const next = await child(db, node.id, names[i]!);
    if (!next) return;
    if (next.kind !== 'dir') {
      throw new ConflictError(`${formatPath(names.slice(0, i + 1))} is a file`, 'NOT_A_FOLDER');
    }
    node = next;
  }
  // The file itself: the same rules as any write's.
  await checkTarget(db, target.path, node.id, names.at(-1)!, { overwrite: target.overwrite });
}
