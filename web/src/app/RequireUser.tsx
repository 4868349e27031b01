import { Center, Loader } from '@mantine/core';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../auth/session';

/** Signed-in pages: wait for the session, else go to sign-in (or first-run setup). */
export function RequireUser({ children, admin = false }: { children: ReactNode; admin?: boolean }) {
  const { user, setupNeeded } = useSession();
  const location = useLocation();
  if (user === undefined || (user === null && setupNeeded === undefined)) {
    return (
      <Center mih="60dvh">
        <Loader />
      </Center>
    );
  }
  if (user === null) {
    return setupNeeded ? (
      <Navigate to="/setup" replace />
    ) : (
      <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />
    );
  }
  if (admin && user.role !== 'admin') return <Navigate to="/files" replace />;
  return <>{children}</>;
}
