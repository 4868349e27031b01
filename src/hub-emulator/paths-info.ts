import { z } from 'zod';
import { readableRepo } from './access.js';
import type { Handler } from './context.js';
import { badRequest, revisionNotFound } from './hub-error.js';
import { jsonReply } from './reply.js';
import { readBody } from './request-body.js';
import { treeEntries } from './tree-entries.js';

const MAX_PATHS = 1000;
const jsonBody = z.object({ paths: z.array(z.string()), expand: z.boolean().optional() });

/** The body as JSON (the JS client) or as a form (huggingface_hub sends `paths=…&expand=…`). */
function parsePathsRequest(
  contentType: string | undefined,
  body: Buffer,
): { paths: string[]; expand: boolean } {
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(body.toString('utf8'));
    return { paths: form.getAll('paths'), expand: ['true', 'True', '1'].includes(form.get('expand') ?? '') };
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
  const parsed = jsonBody.safeParse(value);
  if (!parsed.success) throw badRequest('Expected {"paths": [...], "expand": true|false}');
  return { paths: parsed.data.paths, expand: parsed.data.expand ?? false };
}

/** `POST /api/datasets/{repo}/paths-info/{rev}`: entries of the paths that exist; others are left out. */
export const pathsInfo: Handler = async ({ hub, params, identity, req }) => {
  const [name = '', revision = ''] = params;
  const repo = readableRepo(hub.repos, name, identity);
  const commit = await repo.resolve(revision);
  if (!commit) throw revisionNotFound(revision);
  const request = parsePathsRequest(req.headers['content-type'], await readBody(req, 16 * 1024 * 1024));
  if (request.paths.length > MAX_PATHS) throw badRequest(`At most ${MAX_PATHS} paths per call`);
  const paths = [...new Set(request.paths.map((p) => p.replace(/^\/+|\/+$/g, '')))];
  return jsonReply(await treeEntries(repo, commit, paths, request.expand));
};
