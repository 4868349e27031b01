import { Badge, Button, Group, PasswordInput, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, setCsrfToken } from '../api/client';
import type { SessionInfo } from '../api/types';
import { MIN_PASSWORD_LENGTH } from '../auth/password-rules';
import { useUser } from '../auth/session';
import { ErrorAlert } from '../ui/ErrorAlert';
import { notifyDone } from '../ui/errors';
import { formatDate } from '../ui/format';
import { SectionCard } from '../ui/SectionCard';

type FieldError = { field: 'current' | 'new' | 'again' | 'form'; message: string } | null;

/** The signed-in user, and changing the password. */
export function AccountSection() {
  const { t, i18n } = useTranslation('settings');
  const user = useUser();
  const client = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<FieldError>(null);
  const [busy, setBusy] = useState(false);

  const explain = (caught: unknown): FieldError => {
    if (!(caught instanceof ApiError)) return { field: 'form', message: String(caught) };
    if (caught.code === 'WRONG_PASSWORD') return { field: 'current', message: t('wrongCurrentPassword') };
    if (caught.code === 'WEAK_PASSWORD') {
      return { field: 'new', message: t('passwordTooShort', { min: MIN_PASSWORD_LENGTH }) };
    }
    if (caught.code === 'SYS_TOKEN_MANAGED') return { field: 'form', message: t('sysTokenManaged') };
    if (caught.status === 429) return { field: 'form', message: t('tooManyAttempts') };
    return { field: 'form', message: caught.message };
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (next.length < MIN_PASSWORD_LENGTH) {
      setError({ field: 'new', message: t('passwordTooShort', { min: MIN_PASSWORD_LENGTH }) });
      return;
    }
    if (again !== next) {
      setError({ field: 'again', message: t('passwordsDiffer') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const info = await api<SessionInfo>('/auth/password', {
        body: { currentPassword: current, newPassword: next },
      });
      // The old session ended with the change: this answer carries the new one's token.
      setCsrfToken(info.csrfToken);
      client.setQueryData<SessionInfo>(['session'], info);
      setCurrent('');
      setNext('');
      setAgain('');
      notifyDone(t('passwordChanged'));
    } catch (caught) {
      setError(explain(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <SectionCard title={t('account.title')} testId="settings-account" id="account">
      <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
        <Stack gap={2}>
          <Text size="xs" c="dimmed">
            {t('account.username')}
          </Text>
          <Text fw={500} style={{ overflowWrap: 'anywhere' }}>
            {user.username}
          </Text>
        </Stack>
        <Stack gap={2} align="flex-start">
          <Text size="xs" c="dimmed">
            {t('account.role')}
          </Text>
          <Badge variant="light" color={user.role === 'admin' ? 'grape' : 'blue'}>
            {user.role === 'admin' ? t('account.roleAdmin') : t('account.roleUser')}
          </Badge>
        </Stack>
        <Stack gap={2}>
          <Text size="xs" c="dimmed">
            {t('account.created')}
          </Text>
          <Text size="sm">{formatDate(user.createdAt, i18n.language)}</Text>
        </Stack>
      </SimpleGrid>
      <form onSubmit={submit} data-testid="password-form">
        <Stack gap="sm" maw={420}>
          <Text fw={600} size="sm">
            {t('changePassword')}
          </Text>
          <ErrorAlert error={error?.field === 'form' ? error.message : null} testId="password-error" />
          <PasswordInput
            label={t('currentPassword')}
            name="currentPassword"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            error={error?.field === 'current' ? error.message : undefined}
            required
            data-testid="password-current"
          />
          <PasswordInput
            label={t('newPassword')}
            name="newPassword"
            autoComplete="new-password"
            description={t('passwordRule', { min: MIN_PASSWORD_LENGTH })}
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
            error={error?.field === 'new' ? error.message : undefined}
            required
            data-testid="password-new"
          />
          <PasswordInput
            label={t('confirmNewPassword')}
            name="confirmPassword"
            autoComplete="new-password"
            value={again}
            onChange={(e) => setAgain(e.currentTarget.value)}
            error={error?.field === 'again' ? error.message : undefined}
            required
            data-testid="password-confirm"
          />
          <Text size="xs" c="dimmed">
            {t('passwordSignsOut')}
          </Text>
          <Group>
            <Button type="submit" loading={busy} data-testid="password-submit">
              {t('changePassword')}
            </Button>
          </Group>
        </Stack>
      </form>
    </SectionCard>
  );
}
