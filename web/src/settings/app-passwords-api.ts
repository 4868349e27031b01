import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

/** An app password as its owner sees it (src/drive/app-passwords.ts): never the secret. */
export interface AppPassword {
  id: number;
  label: string;
  readOnly: boolean;
  /** The folder the client is confined to; "/" for the whole drive. */
  root: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface NewAppPassword {
  label: string;
  readOnly?: boolean;
  root?: string;
}

export const APP_PASSWORDS_KEY = ['app-passwords'] as const;

export function useAppPasswords() {
  return useQuery({
    queryKey: APP_PASSWORDS_KEY,
    queryFn: async ({ signal }) =>
      (await api<{ appPasswords: AppPassword[] }>('/app-passwords', { signal })).appPasswords,
  });
}

/** Creates one; the answer's `password` is shown once and never again. */
export const createAppPassword = (input: NewAppPassword) =>
  api<{ appPassword: AppPassword; password: string }>('/app-passwords', { body: input });

export const revokeAppPassword = (id: number) => api<void>(`/app-passwords/${id}`, { method: 'DELETE' });
