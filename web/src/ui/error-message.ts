import { ApiError } from '../api/client';

/** The message to show for a failed call: the server's own words (written for users), else the error's. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
