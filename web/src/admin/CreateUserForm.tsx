import {
  Button,
  Group,
  PasswordInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../api/types';
import { MIN_PASSWORD_LENGTH } from '../auth/password-rules';
import { ErrorAlert } from '../ui/ErrorAlert';
import { messageOf, notifyDone } from '../ui/errors';
import { formatBytes } from '../ui/format';
import { parseSizeInput } from '../ui/size';
import { createUser, USERS_KEY, type NewUser } from './admin-api';

/** A new account: username, password, role, and a quota (empty: the server's default). */
export function CreateUserForm() {
  const { t } = useTranslation('admin');
  const client = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [quota, setQuota] = useState('');
  const parsed = parseSizeInput(quota);
  const create = useMutation({
    mutationFn: createUser,
    onSuccess: async ({ user }) => {
      notifyDone(t('users.created', { name: user.username }));
      setUsername('');
      setPassword('');
      setRole('user');
      setQuota('');
      await client.invalidateQueries({ queryKey: USERS_KEY });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!parsed.ok || password.length < MIN_PASSWORD_LENGTH) return;
    const input: NewUser = { username: username.trim(), password, role };
    // An empty quota is left to the server: DEFAULT_QUOTA for a user, none for an admin.
    if (parsed.bytes !== null) input.quotaBytes = parsed.bytes;
    create.mutate(input);
  };

  return (
    <form onSubmit={submit} data-testid="user-create-form">
      <Stack gap="sm">
        <Text fw={600} size="sm">
          {t('users.new')}
        </Text>
        <ErrorAlert error={create.isError ? messageOf(create.error) : null} testId="user-create-error" />
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
          <TextInput
            label={t('users.username')}
            name="username"
            autoComplete="off"
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
            maxLength={64}
            required
          />
          <PasswordInput
            label={t('users.password')}
            name="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={
              password.length > 0 && password.length < MIN_PASSWORD_LENGTH
                ? t('passwordTooShort', { min: MIN_PASSWORD_LENGTH })
                : undefined
            }
            required
          />
          <TextInput
            label={t('users.quota')}
            name="quota"
            placeholder={t('users.quotaDefault')}
            value={quota}
            onChange={(e) => setQuota(e.currentTarget.value)}
            error={parsed.ok ? undefined : t('quota.invalid')}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="new-user-role">
              {t('users.role')}
            </Text>
            <SegmentedControl<Role>
              aria-labelledby="new-user-role"
              value={role}
              onChange={setRole}
              data={[
                { value: 'user', label: t('roles.user') },
                { value: 'admin', label: t('roles.admin') },
              ]}
              data-testid="user-create-role"
            />
          </Stack>
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          {parsed.ok && parsed.bytes !== null
            ? t('users.quotaPreview', { size: formatBytes(parsed.bytes) })
            : t('users.quotaHint')}
        </Text>
        <Group>
          <Button type="submit" loading={create.isPending} data-testid="user-create">
            {t('users.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
