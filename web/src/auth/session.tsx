import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { api, ApiError, setCsrfToken } from '../api/client';
import type { SessionInfo, User } from '../api/types';

interface SessionValue {
  /** undefined while loading; null when signed out. */
  user: User | null | undefined;
  setupNeeded: boolean | undefined;
  signedIn(info: SessionInfo): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

async function loadSession(): Promise<SessionInfo | null> {
  try {
    const info = await api<SessionInfo>('/auth/session');
    setCsrfToken(info.csrfToken);
    return info;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  // A share link's visitor has no account here: the public page asks nothing of the session.
  const publicPage = useLocation().pathname.startsWith('/s/');
  const session = useQuery({
    queryKey: ['session'],
    queryFn: loadSession,
    staleTime: Infinity,
    retry: 1,
    enabled: !publicPage,
  });
  const setup = useQuery({
    queryKey: ['setup'],
    queryFn: () => api<{ needed: boolean }>('/setup'),
    staleTime: Infinity,
    enabled: !publicPage && session.data === null,
  });

  const signedIn = useCallback(
    (info: SessionInfo) => {
      setCsrfToken(info.csrfToken);
      client.setQueryData(['session'], info);
      client.setQueryData(['setup'], { needed: false });
    },
    [client],
  );
  const signOut = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST' });
    } finally {
      setCsrfToken(null);
      // Signed out first, so nothing mounted shows the old user; then drop everything fetched as them.
      client.setQueryData(['session'], null);
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'session' });
    }
  }, [client]);

  const value = useMemo<SessionValue>(
    () => ({
      user: session.isPending ? undefined : (session.data?.user ?? null),
      setupNeeded: session.data === null ? setup.data?.needed : false,
      signedIn,
      signOut,
    }),
    [session.isPending, session.data, setup.data, signedIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user (only inside routes that require one). */
export function useUser(): User {
  const { user } = useSession();
  if (!user) throw new Error('useUser without a signed-in user');
  return user;
}
