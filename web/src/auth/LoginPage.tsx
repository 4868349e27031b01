import { Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation } from 'react-router';
import { api, ApiError } from '../api/client';
import type { SessionInfo } from '../api/types';
import { ErrorAlert } from '../ui/ErrorAlert';
import { AuthCard } from './AuthCard';
import { useSession } from './session';

export function LoginPage() {
  const { t } = useTranslation('auth');
  const session = useSession();
  const location = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (session.user) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from ?? '/files'} replace />;
  }
  if (session.setupNeeded) return <Navigate to="/setup" replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      session.signedIn(await api<SessionInfo>('/auth/login', { body: { username, password } }));
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) setError(t('wrongCredentials'));
      else if (caught instanceof ApiError && caught.status === 429) setError(t('tooManyAttempts'));
      else setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={t('signInTitle')}>
      <form onSubmit={submit} data-testid="login-form">
        <Stack>
          <ErrorAlert error={error} testId="login-error" />
          <TextInput
            label={t('username')}
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
            required
            autoFocus
          />
          <PasswordInput
            label={t('password')}
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            required
          />
          <Button type="submit" loading={busy} fullWidth data-testid="login-submit">
            {t('signIn')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
