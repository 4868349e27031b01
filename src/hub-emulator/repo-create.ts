import { z } from 'zod';
import { requireWriter } from './access.js';
import type { Handler } from './context.js';
import { HubError, badRequest } from './hub-error.js';
import { jsonReply } from './reply.js';
import { filePathProblem, isValidRepoName } from './repo-path.js';
import { readJson } from './request-body.js';

const createBody = z.object({
  name: z.string(),
  organization: z.string().optional(),
  type: z.string().optional(),
  private: z.boolean().optional(),
  visibility: z.enum(['public', 'private', 'protected']).optional(),
  files: z
    .array(
      z.object({ path: z.string(), content: z.string(), encoding: z.enum(['base64', 'utf-8']).optional() }),
    )
    .optional(),
});

/** `POST /api/repos/create`: a dataset repo in the caller's own namespace; 409 when it exists. */
export const createRepo: Handler = async ({ hub, req, identity, origin }) => {
  const writer = requireWriter(identity);
  const body = await readJson(req, createBody);
  // The Hub's default type is "model"; the emulator keeps dataset repos only.
  if (body.type !== 'dataset') {
    throw badRequest('The emulator only hosts dataset repos: send "type": "dataset"');
  }
  const namespace = body.organization ?? writer.user;
  const name = `${namespace}/${body.name}`;
  if (!isValidRepoName(name)) {
    throw badRequest(
      `Invalid repo name "${name}": use letters, digits, "-", "_" and "." (no "--" or "..", at most 96 characters)`,
    );
  }
  if (namespace !== writer.user) {
    throw new HubError(
      403,
      `You don't have the rights to create a dataset under the namespace "${namespace}"`,
    );
  }
  const files = (body.files ?? []).map((f) => {
    const problem = filePathProblem(f.path);
    if (problem) throw badRequest(`files: ${f.path}: ${problem}`);
    return { path: f.path, content: Buffer.from(f.content, f.encoding === 'base64' ? 'base64' : 'utf8') };
  });
  const repo = await hub.repos.create({
    name,
    private: body.private ?? (body.visibility !== undefined && body.visibility !== 'public'),
    author: writer.user,
    date: hub.now(),
    files,
  });
  return jsonReply({ url: `${origin}/datasets/${repo.name}`, name: repo.name, id: repo.meta.id });
};
