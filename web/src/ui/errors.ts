import { notifications } from '@mantine/notifications';
import { ApiError } from '../api/client';

export function messageOf(error: unknown): string {
  if (error instanceof ApiError || error instanceof Error) return error.message;
  return String(error);
}

/** A red toast with the server's message. */
export function notifyError(title: string, error: unknown): void {
  notifications.show({ color: 'red', title, message: messageOf(error) });
}

export function notifyDone(message: string): void {
  notifications.show({ color: 'green', message });
}
