import { z } from 'zod';
import { requireWriter, writableRepo } from './access.js';
import type { Handler } from './context.js';
import { revisionNotFound } from './hub-error.js';
import { releaseUnreferenced } from './release-objects.js';
import { jsonReply } from './reply.js';
import { readJson } from './request-body.js';

const squashBody = z.object({ message: z.string().max(500).optional() });

/**
 * `POST /api/datasets/{repo}/super-squash/{branch}` `{"message"}`: the branch's history becomes one
 * commit with the same files; objects nothing references any more are released at once (the Hub
 * takes up to ~36 h to update the quota), except recent uploads no commit has referenced yet. It is a commit, so it spends one of the hourly budget.
 * Answers `{"commitId"}`.
 */
export const superSquash: Handler = async ({ hub, params, identity, req }) => {
  const [name = '', branch = ''] = params;
  const writer = requireWriter(identity);
  const repo = writableRepo(hub.repos, name, writer);
  if (!repo.head(branch)) throw revisionNotFound(branch);
  const body = await readJson(req, squashBody);
  const head = await repo.lock.run(async () => {
    const current = repo.head(branch);
    if (!current) throw revisionNotFound(branch);
    hub.commitBudget.check(repo.name);
    const now = hub.now();
    const before = repo.storage.snapshot();
    const squashed = await repo.replaceHistory(branch, [
      {
        summary: body.message?.trim() || `Super-squash branch '${branch}'`,
        description: '',
        author: writer.user,
        date: now,
        files: current.files,
      },
    ]);
    hub.commitBudget.record(repo.name, now);
    await releaseUnreferenced(repo, before, now, hub.limits.orphanGraceMs);
    return squashed;
  });
  return jsonReply({ commitId: head.id });
};
