import { createRepo, datasetInfo, HubApiError, whoAmI } from '@huggingface/hub';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../../errors/domain-error.js';
import { authorization, hubError, repoUrl, type HubContext } from './hub-context.js';

/**
 * Start-up stops with this. The guide's users know "Failed to initialize Datasets storage" from
 * the tools they used before, so the phrase stays, followed by the reason and what to do.
 */
export class StoreInitError extends DomainError {
  readonly status = 503;
  readonly code = 'STORE_INIT_FAILED';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Failed to initialize Datasets storage: ${reason}`, options);
  }
}

/**
 * The token can write to the repo, and the repo exists (or is created private when allowed). Every
 * failure is a StoreInitError that names its cause.
 */
/** What start-up learnt: the repo's visibility and, where it can tell, its storage quota. */
export interface HubAccess {
  private: boolean;
  /** The Hub's private storage for the repo's owner (100 GB free, 1 TB PRO), or null when unknown. */
  quotaBytes: number | null;
}

const GB = 1000 ** 3;

export async function checkHubAccess(
  context: HubContext,
  options: { createRepo: boolean },
): Promise<HubAccess> {
  try {
    const me = await whoami(context);
    const role = me.auth?.accessToken?.role;
    if (role === 'read') {
      throw new StoreInitError('HF_TOKEN can only read; hubdrive needs a token with write access.');
    }
    const repo = await ensureRepo(context, options);
    // A fine-grained token's role says nothing about this repo: ask the Hub by trying.
    if (role !== 'write') await probeWriteAccess(context);
    if (!repo.private) {
      context.logger.warn(
        { repo: context.repo },
        'the dataset repo is public: anyone can download the packs hubdrive keeps there, and the files in them. Make it private on huggingface.co.',
      );
    }
    // Only a user's own repo has a plan we can see; an organisation's is not in whoami.
    const own = me.name !== undefined && context.repo.split('/')[0] === me.name;
    const quotaBytes = repo.private && own ? (me.isPro ? 1000 * GB : 100 * GB) : null;
    return { private: repo.private, quotaBytes };
  } catch (error) {
    throw asInitError(context, error);
  }
}

function status(error: unknown): number | null {
  return error instanceof HubApiError ? error.statusCode : null;
}

interface Whoami {
  name?: string;
  isPro?: boolean;
  auth?: { accessToken?: { role?: string } };
}

async function whoami(context: HubContext): Promise<Whoami> {
  try {
    return (await whoAmI({
      accessToken: context.token,
      hubUrl: context.hubUrl,
      fetch: context.fetch,
    })) as Whoami;
  } catch (error) {
    if (status(error) === 401) {
      throw new StoreInitError(
        'the Hub refused HF_TOKEN (401). Create a token with write access at huggingface.co/settings/tokens.',
      );
    }
    throw error;
  }
}

/** The repo's visibility; creates it, private, when it is missing and that is allowed. */
async function ensureRepo(
  context: HubContext,
  options: { createRepo: boolean },
): Promise<{ private: boolean }> {
  const info = await repoInfo(context);
  if (info) return info;
  if (!options.createRepo) {
    throw new StoreInitError(
      `the dataset repo ${context.repo} does not exist (or HF_TOKEN cannot see it). Create it on huggingface.co, or set HF_CREATE_REPO=1 to let hubdrive create it, private.`,
    );
  }
  try {
    await createRepo({
      repo: { type: 'dataset', name: context.repo },
      private: true,
      accessToken: context.token,
      hubUrl: context.hubUrl,
      fetch: context.fetch,
    });
    return { private: true };
  } catch (error) {
    if (status(error) !== 409) {
      throw new StoreInitError(`the dataset repo ${context.repo} could not be created (${message(error)})`, {
        cause: error,
      });
    }
  }
  // 409: it exists after all (made meanwhile, or hidden from this token).
  const existing = await repoInfo(context);
  if (existing) return existing;
  throw new StoreInitError(
    `the dataset repo ${context.repo} exists, but HF_TOKEN cannot see it. Give the token access to it, or choose another HF_DATASET_REPO.`,
  );
}

/** The repo's visibility, or null when the Hub says it does not exist (or hides it). */
async function repoInfo(context: HubContext): Promise<{ private: boolean } | null> {
  try {
    const info = await datasetInfo({
      name: context.repo,
      accessToken: context.token,
      hubUrl: context.hubUrl,
      fetch: context.fetch,
    });
    return { private: info.private };
  } catch (error) {
    if (status(error) === 404 || status(error) === 401) return null;
    throw new StoreInitError(`the dataset repo ${context.repo} could not be read (${message(error)})`, {
      cause: error,
    });
  }
}

/**
 * Asks for an upload URL of a random one-byte object: the Hub checks write access, and nothing is
 * uploaded or committed.
 */
async function probeWriteAccess(context: HubContext): Promise<void> {
  const lfsJson = 'application/vnd.git-lfs+json';
  const response = await context.fetch(`${repoUrl(context)}.git/info/lfs/objects/batch`, {
    method: 'POST',
    headers: { ...authorization(context), Accept: lfsJson, 'Content-Type': lfsJson },
    body: JSON.stringify({
      operation: 'upload',
      transfers: ['basic', 'multipart'],
      hash_algo: 'sha_256',
      ref: { name: context.revision },
      objects: [{ oid: randomBytes(32).toString('hex'), size: 1 }],
    }),
  });
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel().catch(() => undefined);
    throw new StoreInitError(
      `HF_TOKEN cannot write to ${context.repo} (the Hub answered ${response.status} to a test upload request). Give the fine-grained token write access to this repo, or use a token with the write role.`,
    );
  }
  if (!response.ok) throw await hubError(response, `checking that HF_TOKEN can write to ${context.repo}`);
  await response.body?.cancel().catch(() => undefined);
}

/** Any failure as a StoreInitError that names its cause, and never the token. */
function asInitError(context: HubContext, error: unknown): StoreInitError {
  const init =
    error instanceof StoreInitError
      ? error
      : error instanceof HubApiError || error instanceof DomainError
        ? new StoreInitError(message(error), { cause: error })
        : new StoreInitError(
            `the Hub at ${context.hubUrl} could not be reached, or did not answer as the Hub does (${message(error)})`,
            { cause: error },
          );
  if (init.message.includes(context.token)) {
    return new StoreInitError(
      init.message
        .replace('Failed to initialize Datasets storage: ', '')
        .replaceAll(context.token, '[redacted]'),
    );
  }
  return init;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
