import { Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate } from 'react-router';
import { api } from '../api/client';
import type { SessionInfo } from '../api/types';
import { ErrorAlert } from '../ui/ErrorAlert';
import { AuthCard } from './AuthCard';
import { useSession } from './session';

/** First run: no admin exists and SYS_TOKEN is not set; the first visitor creates the admin. */
export function SetupPage() {
  const { t } = useTranslation('auth');
  const session = useSession();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (session.user) return <Navigate to="/files" replace />;
  if (session.setupNeeded === false) return <Navigate to="/login" replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password !== confirm) {
      setError(t('passwordsDiffer'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      session.signedIn(await api<SessionInfo>('/setup', { body: { username, password } }));
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={t('setupTitle')} subtitle={t('setupSubtitle')}>
      <form onSubmit={submit} data-testid="setup-form">
        <Stack>
          <ErrorAlert error={error} />
          <TextInput
            label={t('adminUsername')}
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
            required
          />
          <PasswordInput
            label={t('password')}
            name="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            required
          />
          <PasswordInput
            label={t('confirmPassword')}
            name="confirm"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.currentTarget.value)}
            required
          />
          <Button type="submit" loading={busy} fullWidth data-testid="setup-submit">
            {t('createAdmin')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
