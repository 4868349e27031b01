import { datasetInfo, pathsInfo } from '@huggingface/hub';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiUrl, authorization, hubError, type HubContext } from './hub-context.js';
import { backoff, DEFAULT_RETRY, hintedDelay, isRetryableStatus } from './retry-policy.js';

export type CommitOperation =
  | { kind: 'lfs'; path: string; oid: string; size: number }
  | { kind: 'file'; path: string; content: Buffer }
  | { kind: 'delete'; path: string };

/** The commit the branch points at now. */
export async function branchHead(context: HubContext): Promise<string> {
  const info = await datasetInfo({
    name: context.repo,
    revision: context.revision,
    additionalFields: ['sha'],
    accessToken: context.token,
    hubUrl: context.hubUrl,
    fetch: context.fetch,
  });
  return (info as { sha?: string }).sha ?? '';
}

/**
 * Whether the branch already holds exactly these changes: every put file with its content, every
 * deleted file gone. Used when a commit's answer was lost, or the branch moved under us.
 */
async function alreadyApplied(context: HubContext, operations: readonly CommitOperation[]): Promise<boolean> {
  const paths = operations.map((op) => op.path);
  const found = new Map<string, { oid: string; size: number; lfs?: { oid: string } }>();
  for (let i = 0; i < paths.length; i += 100) {
    const entries = await pathsInfo({
      repo: { type: 'dataset', name: context.repo },
      paths: paths.slice(i, i + 100),
      revision: context.revision,
      accessToken: context.token,
      hubUrl: context.hubUrl,
      fetch: context.fetch,
    });
    for (const entry of entries)
      found.set(entry.path, entry as { oid: string; size: number; lfs?: { oid: string } });
  }
  return operations.every((op) => {
    const entry = found.get(op.path);
    if (op.kind === 'delete') return !entry;
    if (op.kind === 'lfs') return entry?.lfs?.oid === op.oid && entry.size === op.size;
    return entry?.size === op.content.length;
  });
}

function ndjson(summary: string, parentCommit: string, operations: readonly CommitOperation[]): string {
  const lines: unknown[] = [
    { key: 'header', value: { summary, description: '', ...(parentCommit ? { parentCommit } : {}) } },
  ];
  for (const op of operations) {
    if (op.kind === 'lfs')
      lines.push({ key: 'lfsFile', value: { path: op.path, algo: 'sha256', oid: op.oid, size: op.size } });
    else if (op.kind === 'file') {
      lines.push({
        key: 'file',
        value: { path: op.path, content: op.content.toString('base64'), encoding: 'base64' },
      });
    } else lines.push({ key: 'deletedFile', value: { path: op.path } });
  }
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

/**
 * Commits operations on top of `parent` and returns the new head. A commit may complete on the Hub
 * while its answer is lost (timeouts, resets, 5xx after the fact), so after every failure the branch
 * is looked at: if it already holds these changes, that commit is the answer. A moved branch
 * (another writer) is committed on top of.
 */
export async function commitOperations(
  context: HubContext,
  commit: { summary: string; parent: string; operations: readonly CommitOperation[] },
): Promise<string> {
  let parent = commit.parent;
  const policy = DEFAULT_RETRY;
  for (let attempt = 0; ; attempt++) {
    let failure: unknown;
    let retryable = true;
    let conflict = false;
    let hinted: number | null = null;
    try {
      const response = await context.fetchOnce(
        apiUrl(context, `commit/${encodeURIComponent(context.revision)}`),
        {
          method: 'POST',
          headers: { ...authorization(context), 'Content-Type': 'application/x-ndjson' },
          body: ndjson(commit.summary, parent, commit.operations),
        },
      );
      if (response.ok) {
        const json = (await response.json()) as { commitOid: string };
        return json.commitOid;
      }
      conflict = response.status === 409 || response.status === 412;
      retryable = conflict || isRetryableStatus(response.status);
      hinted = hintedDelay(response);
      failure = await hubError(response, 'commit');
    } catch (error) {
      context.logger.warn({ err: error, attempt }, 'commit answer lost; checking the branch');
      failure = error;
    }
    const head = await branchHead(context);
    if (head !== parent && (await alreadyApplied(context, commit.operations))) return head;
    if (!retryable || attempt + 1 >= policy.attempts) throw failure;
    const moved = head !== parent;
    parent = head;
    // A conflict on a moved branch retries at once; anything else (a conflict on a branch that did
    // not move included) waits, so that nothing spins.
    if (!(conflict && moved)) await sleep(backoff(policy, attempt, conflict ? null : hinted));
  }
}
