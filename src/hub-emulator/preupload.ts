import { z } from 'zod';
import { writableRepo } from './access.js';
import { REGULAR_FILE_LIMIT, SAMPLE_SIZE, looksBinary } from './content-kind.js';
import type { Handler } from './context.js';
import { lfsMatcher } from './gitattributes.js';
import { badRequest, revisionNotFound } from './hub-error.js';
import { jsonReply } from './reply.js';
import { filePathProblem } from './repo-path.js';
import { readJson } from './request-body.js';

const MAX_FILES = 1000;

const preuploadBody = z.object({
  files: z.array(
    z.object({ path: z.string(), size: z.number().int().nonnegative(), sample: z.string().default('') }),
  ),
  gitAttributes: z.string().optional(),
});

/**
 * `POST /api/datasets/{repo}/preupload/{rev}`: says which files go to LFS. The Hub's exact rule is
 * unknown; the emulator's, in order: an empty file is regular; larger than 10 MiB, LFS; a path that
 * `.gitattributes` (the request's, else the branch's) sends to LFS, LFS; a sample that looks binary
 * (a NUL byte, or not UTF-8), LFS; otherwise regular. At most 1000 files per call.
 */
export const preupload: Handler = async ({ hub, params, identity, req }) => {
  const [name = '', revision = ''] = params;
  const repo = writableRepo(hub.repos, name, identity);
  const head = repo.head(revision);
  if (!head) throw revisionNotFound(revision);
  const body = await readJson(req, preuploadBody);
  if (body.files.length > MAX_FILES) {
    throw badRequest(`Too many files in one preupload call (at most ${MAX_FILES})`);
  }
  let attributes = body.gitAttributes;
  const current = head.files.get('.gitattributes');
  if (attributes === undefined && current && !current.lfs) {
    attributes = (await repo.objects.readBlob(current.oid)).toString('utf8');
  }
  const inLfs = lfsMatcher(attributes ?? '');
  const files = body.files.map((file) => {
    const problem = filePathProblem(file.path);
    if (problem) throw badRequest(`${file.path}: ${problem}`);
    const sample = Buffer.from(file.sample, 'base64').subarray(0, SAMPLE_SIZE);
    const lfs = file.size > 0 && (file.size > REGULAR_FILE_LIMIT || inLfs(file.path) || looksBinary(sample));
    const existing = head.files.get(file.path);
    return {
      path: file.path,
      uploadMode: lfs ? 'lfs' : 'regular',
      shouldIgnore: false,
      ...(existing ? { oid: existing.oid } : {}),
    };
  });
  return jsonReply({ files, commitOid: head.id });
};
