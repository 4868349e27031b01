import { notifications } from '@mantine/notifications';
import { ApiError } from '../api/client';
import i18n from '../i18n';

/**
 * The translation of an error code outside English, where there is one; null where the server's
 * own message (in English, naming the file) should be shown.
 */
export function codeText(code: string): string | null {
  const key = `errors:${code}`;
  return i18n.language !== 'en' && i18n.exists(key) ? i18n.t(key) : null;
}

/**
 * What went wrong, for the reader: the server's message in English (it names the file), a
 * translation of its code in other languages where there is one.
 */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return codeText(error.code) ?? error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A red toast with the server's message. */
export function notifyError(title: string, error: unknown): void {
  notifications.show({ color: 'red', title, message: messageOf(error) });
}

export function notifyDone(message: string): void {
  notifications.show({ color: 'green', message });
}
