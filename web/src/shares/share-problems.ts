import { ApiError } from '../api/client';

/** Why a share link shows nothing (yet). */
export type ShareProblem = 'notFound' | 'expired' | 'usedUp' | 'locked' | 'tooMany' | 'other';

export function shareProblemOf(error: unknown): ShareProblem {
  if (!(error instanceof ApiError)) return 'other';
  if (error.status === 404) return 'notFound';
  if (error.code === 'SHARE_EXPIRED') return 'expired';
  if (error.code === 'SHARE_USED_UP') return 'usedUp';
  if (error.code === 'SHARE_LOCKED' || error.status === 401) return 'locked';
  if (error.status === 429) return 'tooMany';
  return 'other';
}

/** The key of the info query of a share link; its folder pages live under ['share-list', token]. */
export const shareInfoKey = (token: string) => ['share-info', token] as const;
export const shareListKey = (token: string, path: string) => ['share-list', token, path] as const;

/** The API path of a public share call. */
export const sharePath = (token: string, rest = '') => `/s/${encodeURIComponent(token)}${rest}`;
