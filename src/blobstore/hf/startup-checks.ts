import { createRepo, datasetInfo, HubApiError, whoAmI } from '@huggingface/hub';
import type { HubContext } from './hub-context.js';

/**
 * Start-up stops with this. The guide's users know "Failed to initialize Datasets storage" from
 * the tools they used before, so the phrase stays, followed by the reason and what to do.
 */
export class StoreInitError extends Error {
  override name = 'StoreInitError';
  constructor(reason: string) {
    super(`Failed to initialize Datasets storage: ${reason}`);
  }
}

function status(error: unknown): number | null {
  return error instanceof HubApiError ? error.statusCode : null;
}

/** The token can write, and the repo exists (or is created private when allowed). */
export async function checkHubAccess(context: HubContext, options: { createRepo: boolean }): Promise<void> {
  let role: string | undefined;
  try {
    const me = (await whoAmI({
      accessToken: context.token,
      hubUrl: context.hubUrl,
      fetch: context.fetch,
    })) as {
      auth?: { accessToken?: { role?: string } };
    };
    role = me.auth?.accessToken?.role;
  } catch (error) {
    if (status(error) === 401) {
      throw new StoreInitError(
        'the Hub refused HF_TOKEN (401). Create a token with write access at huggingface.co/settings/tokens.',
      );
    }
    throw new StoreInitError(
      `the Hub at ${context.hubUrl} could not be reached (${(error as Error).message})`,
    );
  }
  if (role !== 'write' && role !== 'fineGrained') {
    throw new StoreInitError(
      `HF_TOKEN can only ${role ?? 'read'}; hubdrive needs a token with write access.`,
    );
  }
  try {
    await datasetInfo({
      name: context.repo,
      accessToken: context.token,
      hubUrl: context.hubUrl,
      fetch: context.fetch,
    });
    return;
  } catch (error) {
    if (status(error) !== 404 && status(error) !== 401) {
      throw new StoreInitError(
        `the dataset repo ${context.repo} could not be read (${(error as Error).message})`,
      );
    }
  }
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
  } catch (error) {
    if (status(error) !== 409) {
      throw new StoreInitError(
        `the dataset repo ${context.repo} could not be created (${(error as Error).message})`,
      );
    }
  }
}
