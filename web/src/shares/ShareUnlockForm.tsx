import { Button, PasswordInput, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Lock } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client';
import { messageOf } from '../ui/errors';
import { shareInfoKey, sharePath } from './share-problems';
import type { SharedInfo } from './share-types';
import { ErrorAlert } from '../ui/ErrorAlert';

/** Asks for a share's password; the server answers with a cookie that opens the link for 12 hours. */
export function ShareUnlockForm({ token, name }: { token: string; name: string | null }) {
  const { t } = useTranslation('share');
  const client = useQueryClient();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { share } = await api<{ share: SharedInfo }>(sharePath(token, '/unlock'), { body: { password } });
      client.setQueryData(shareInfoKey(token), share);
      await client.invalidateQueries({ queryKey: ['share-list', token] });
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'WRONG_PASSWORD') setError(t('public.wrongPassword'));
      else if (caught instanceof ApiError && caught.status === 429) setError(t('public.tooMany'));
      else if (caught instanceof ApiError && (caught.status === 404 || caught.status === 410)) {
        // The link itself stopped working: the page shows why.
        await client.invalidateQueries({ queryKey: shareInfoKey(token) });
      } else setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} data-testid="share-unlock-form">
      <Stack gap="md" maw={380} mx="auto" py="xl">
        <Stack align="center" gap={6}>
          <Lock size={36} />
          <Text fw={600} size="lg" ta="center">
            {t('public.lockedTitle')}
          </Text>
          {name && (
            <Text c="dimmed" ta="center" style={{ overflowWrap: 'anywhere' }}>
              {name}
            </Text>
          )}
        </Stack>
        <ErrorAlert error={error} testId="share-unlock-error" />
        <PasswordInput
          label={t('public.password')}
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          required
          autoFocus
          data-testid="share-unlock-password"
        />
        <Button type="submit" loading={busy} fullWidth data-testid="share-unlock-submit">
          {t('public.unlock')}
        </Button>
      </Stack>
    </form>
  );
}
