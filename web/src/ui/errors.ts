import { notifications } from '@mantine/notifications';
import { ApiError } from '../api/client';
import i18n from '../i18n';

/**
 * What went wrong, for the reader: the server's message in English (it names the file), a
 * translation of its code in other languages where there is one.
 */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    const key = `errors:${error.code}`;
    return i18n.language !== 'en' && i18n.exists(key) ? i18n.t(key) : error.message;
  }
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
