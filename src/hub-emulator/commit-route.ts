import { requireWriter, writableRepo } from './access.js';
import { parseCommitBody } from './commit-ndjson.js';
import { applyOperations } from './commit-operations.js';
import type { Handler } from './context.js';
import { HubError, badRequest, revisionNotFound } from './hub-error.js';
import { jsonReply } from './reply.js';
import { readBody } from './request-body.js';

/** Inline files are at most 10 MiB each, base64 in the body: this leaves room for many of them. */
const COMMIT_BODY_LIMIT = 256 * 1024 * 1024;

/**
 * `POST /api/datasets/{repo}/commit/{branch}`: an NDJSON commit, applied whole or not at all. A
 * `parentCommit` that is not the branch head is a conflict (409). Commits count against the
 * repo's hourly budget (429 when spent). A lost answer (a fault) comes after the commit is durable.
 */
export const commit: Handler = async ({ hub, params, identity, req, url, origin }) => {
  const [name = '', branch = ''] = params;
  if (url.searchParams.has('create_pr')) throw badRequest('The emulator does not do pull requests');
  const writer = requireWriter(identity);
  const repo = writableRepo(hub.repos, name, writer);
  if (!repo.head(branch)) throw revisionNotFound(branch);
  hub.commitBudget.check(repo.name);
  const { header, operations } = parseCommitBody(await readBody(req, COMMIT_BODY_LIMIT));
  const made = await repo.lock.run(async () => {
    const head = repo.head(branch);
    if (!head) throw revisionNotFound(branch);
    if (header.parentCommit !== undefined && header.parentCommit !== head.id) {
      throw new HubError(
        409,
        `A commit has happened since ${header.parentCommit}: the head of ${branch} is ${head.id}. Please refresh and try again.`,
      );
    }
    hub.commitBudget.check(repo.name);
    const applied = applyOperations(head.files, operations, {
      maxEntriesPerFolder: hub.limits.maxEntriesPerFolder,
      lfsObject: (sha) => repo.objects.lfsObject(sha),
    });
    await repo.objects.putBlobs(applied.blobs);
    const created = await repo.append(branch, {
      summary: header.summary,
      description: header.description,
      author: writer.user,
      date: hub.now(),
      files: applied.files,
    });
    hub.commitBudget.record(repo.name, created.date);
    return created;
  });
  const reply = jsonReply({
    success: true,
    commitOid: made.id,
    commitUrl: `${origin}/datasets/${repo.name}/commit/${made.id}`,
    hookOutput: '',
  });
  if (hub.faults.takeLostCommitResponse()) reply.drop = true;
  return reply;
};
