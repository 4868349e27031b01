import {
  ActionIcon,
  Alert,
  Badge,
  Center,
  Group,
  Loader,
  Menu,
  Paper,
  Progress,
  Stack,
  Table,
  Text,
  useMantineTheme,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Ban, CircleCheck, HardDrive, KeyRound, MoreVertical, ShieldCheck, UserRound } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { User } from '../api/types';
import { useUser } from '../auth/session';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { messageOf, notifyDone, notifyError } from '../ui/errors';
import { formatBytes, formatDate } from '../ui/format';
import { SectionCard } from '../ui/SectionCard';
import { usageColor, usageFraction } from '../ui/usage';
import { updateUser, useUsers, USERS_KEY, type UserChanges } from './admin-api';
import { CreateUserForm } from './CreateUserForm';
import { PasswordDialog, QuotaDialog } from './UserDialogs';

type Editing = { kind: 'quota' | 'password' | 'disable' | 'role'; user: User };

interface UpdateVariables {
  user: User;
  changes: UserChanges;
  /** Said once it is done. */
  done: string;
  /** A dialog is open that shows a refusal; otherwise it is a notification. */
  inDialog?: boolean;
}

function UsageCell({ user }: { user: User }) {
  const { t } = useTranslation('admin');
  const quota = user.quotaBytes;
  const fraction = quota === null ? 0 : usageFraction(user.usedBytes, quota);
  return (
    <Stack gap={4}>
      <Text size="sm">
        {quota === null
          ? t('users.usedNoQuota', { used: formatBytes(user.usedBytes) })
          : t('users.usedOfQuota', { used: formatBytes(user.usedBytes), quota: formatBytes(quota) })}
      </Text>
      {quota !== null && (
        <Progress size="xs" value={Math.min(100, fraction * 100)} color={usageColor(fraction)} />
      )}
    </Stack>
  );
}

function UserMenu({
  user,
  self,
  onPick,
}: {
  user: User;
  self: boolean;
  onPick(kind: Editing['kind']): void;
}) {
  const { t } = useTranslation('admin');
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon
          variant="subtle"
          aria-label={t('users.actions', { name: user.username })}
          data-testid="user-menu"
        >
          <MoreVertical size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          leftSection={<HardDrive size={16} />}
          onClick={() => onPick('quota')}
          data-testid="user-set-quota"
        >
          {t('users.setQuota')}
        </Menu.Item>
        <Menu.Item
          leftSection={<KeyRound size={16} />}
          onClick={() => onPick('password')}
          data-testid="user-reset-password"
        >
          {t('users.resetPassword')}
        </Menu.Item>
        <Menu.Item
          leftSection={user.role === 'admin' ? <UserRound size={16} /> : <ShieldCheck size={16} />}
          onClick={() => onPick('role')}
          disabled={self}
          data-testid="user-change-role"
        >
          {user.role === 'admin' ? t('users.makeUser') : t('users.makeAdmin')}
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item
          leftSection={user.disabled ? <CircleCheck size={16} /> : <Ban size={16} />}
          color={user.disabled ? undefined : 'red'}
          onClick={() => onPick('disable')}
          disabled={self}
          data-testid="user-toggle-disabled"
        >
          {user.disabled ? t('users.enable') : t('users.disable')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function RoleBadge({ user }: { user: User }) {
  const { t } = useTranslation('admin');
  return (
    <Badge variant="light" color={user.role === 'admin' ? 'grape' : 'blue'} data-testid="user-role">
      {t(`roles.${user.role}`)}
    </Badge>
  );
}

function StateBadge({ user }: { user: User }) {
  const { t } = useTranslation('admin');
  return (
    <Badge
      variant="light"
      color={user.disabled ? 'red' : 'green'}
      data-testid="user-state"
      data-state={user.disabled ? 'disabled' : 'active'}
    >
      {user.disabled ? t('users.disabled') : t('users.active')}
    </Badge>
  );
}

function NameCell({ user, self }: { user: User; self: boolean }) {
  const { t } = useTranslation('admin');
  return (
    <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
      <Text size="sm" fw={500} truncate="end">
        {user.username}
      </Text>
      {self && (
        <Badge size="xs" variant="outline">
          {t('users.you')}
        </Badge>
      )}
    </Group>
  );
}

/** One card per user on a phone, so that every action stays in reach without scrolling sideways. */
function UserCards({ users, onPick }: { users: User[]; onPick(editing: Editing): void }) {
  const { t, i18n } = useTranslation('admin');
  const me = useUser();
  return (
    <Stack gap="xs">
      {users.map((user) => (
        <Paper key={user.id} withBorder p="sm" data-testid="user-row" data-name={user.username}>
          <Stack gap={6}>
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <NameCell user={user} self={user.id === me.id} />
              <UserMenu user={user} self={user.id === me.id} onPick={(kind) => onPick({ kind, user })} />
            </Group>
            <Group gap={6}>
              <RoleBadge user={user} />
              <StateBadge user={user} />
            </Group>
            <UsageCell user={user} />
            <Text size="xs" c="dimmed">
              {t('users.createdOn', { date: formatDate(user.createdAt, i18n.language) })}
            </Text>
          </Stack>
        </Paper>
      ))}
    </Stack>
  );
}

function UsersTable({ users, onPick }: { users: User[]; onPick(editing: Editing): void }) {
  const { t, i18n } = useTranslation('admin');
  const me = useUser();
  return (
    <Table.ScrollContainer minWidth={720} type="native">
      <Table verticalSpacing="xs" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('users.username')}</Table.Th>
            <Table.Th>{t('users.role')}</Table.Th>
            <Table.Th w={220}>{t('users.storage')}</Table.Th>
            <Table.Th>{t('users.state')}</Table.Th>
            <Table.Th>{t('users.createdAt')}</Table.Th>
            <Table.Th w={50} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.map((user) => (
            <Table.Tr key={user.id} data-testid="user-row" data-name={user.username}>
              <Table.Td>
                <NameCell user={user} self={user.id === me.id} />
              </Table.Td>
              <Table.Td>
                <RoleBadge user={user} />
              </Table.Td>
              <Table.Td>
                <UsageCell user={user} />
              </Table.Td>
              <Table.Td>
                <StateBadge user={user} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDate(user.createdAt, i18n.language)}</Text>
              </Table.Td>
              <Table.Td>
                <UserMenu user={user} self={user.id === me.id} onPick={(kind) => onPick({ kind, user })} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function UsersList(props: { users: User[]; onPick(editing: Editing): void }) {
  const theme = useMantineTheme();
  const phone = useMediaQuery(`(max-width: ${theme.breakpoints.sm})`);
  return phone ? <UserCards {...props} /> : <UsersTable {...props} />;
}

/** The accounts: a table with per-user actions, and a form for a new one. */
export function UsersSection() {
  const { t } = useTranslation('admin');
  const client = useQueryClient();
  const users = useUsers();
  const [editing, setEditing] = useState<Editing | null>(null);
  // The confirmation's subject stays while the dialog fades out.
  const [confirmingFor, setConfirmingFor] = useState<Editing | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);

  const update = useMutation({
    mutationFn: ({ user, changes }: UpdateVariables) => updateUser(user.id, changes),
    onSuccess: async (_answer, { done }) => {
      notifyDone(done);
      setEditing(null);
      await Promise.all([
        client.invalidateQueries({ queryKey: USERS_KEY }),
        client.invalidateQueries({ queryKey: ['session'] }),
      ]);
    },
    onError: (error, { inDialog }) => {
      if (inDialog) {
        setDialogError(messageOf(error));
      } else {
        setEditing(null);
        notifyError(t('users.changeFailed'), error);
      }
    },
  });

  const pick = (next: Editing) => {
    setDialogError(null);
    setEditing(next);
    if (next.kind === 'disable' && next.user.disabled) {
      // Enabling takes nothing away: no question asked.
      update.mutate({
        user: next.user,
        changes: { disabled: false },
        done: t('users.enabled', { name: next.user.username }),
      });
      return;
    }
    if (next.kind === 'disable' || next.kind === 'role') setConfirmingFor(next);
  };
  const close = () => !update.isPending && setEditing(null);
  const confirming =
    editing !== null && (editing.kind === 'role' || (editing.kind === 'disable' && !editing.user.disabled));

  const subject = confirmingFor?.user;
  const promote = subject?.role === 'user';
  return (
    <SectionCard title={t('users.title')} testId="admin-users" id="users">
      {users.isPending ? (
        <Center py="md">
          <Loader size="sm" />
        </Center>
      ) : users.isError ? (
        <Alert color="red">{messageOf(users.error)}</Alert>
      ) : (
        <UsersList users={users.data} onPick={pick} />
      )}
      <CreateUserForm />
      {editing?.kind === 'quota' && (
        <QuotaDialog
          user={editing.user}
          busy={update.isPending}
          error={dialogError}
          onClose={close}
          onSave={(quotaBytes) =>
            update.mutate({
              user: editing.user,
              changes: { quotaBytes },
              inDialog: true,
              done: t('users.quotaSaved', { name: editing.user.username }),
            })
          }
        />
      )}
      {editing?.kind === 'password' && (
        <PasswordDialog
          user={editing.user}
          busy={update.isPending}
          error={dialogError}
          onClose={close}
          onSave={(password) =>
            update.mutate({
              user: editing.user,
              changes: { password },
              inDialog: true,
              done: t('users.passwordReset', { name: editing.user.username }),
            })
          }
        />
      )}
      <ConfirmDialog
        opened={confirming}
        title={
          confirmingFor?.kind === 'role'
            ? promote
              ? t('users.makeAdminTitle', { name: subject?.username })
              : t('users.makeUserTitle', { name: subject?.username })
            : t('users.disableTitle', { name: subject?.username })
        }
        message={
          confirmingFor?.kind === 'role'
            ? promote
              ? t('users.makeAdminConfirm')
              : t('users.makeUserConfirm')
            : t('users.disableConfirm')
        }
        confirmLabel={
          confirmingFor?.kind === 'role'
            ? promote
              ? t('users.makeAdmin')
              : t('users.makeUser')
            : t('users.disable')
        }
        danger={confirmingFor?.kind === 'disable' || promote}
        onClose={close}
        onConfirm={async () => {
          if (!subject || !confirmingFor) return;
          let variables: UpdateVariables;
          if (confirmingFor.kind === 'role') {
            const role = promote ? 'admin' : 'user';
            variables = {
              user: subject,
              changes: { role },
              done: t('users.roleChanged', { name: subject.username, role: t(`roles.${role}`) }),
            };
          } else {
            variables = {
              user: subject,
              changes: { disabled: true },
              done: t('users.disabledDone', { name: subject.username }),
            };
          }
          // A refusal is told by the mutation's notification; the dialog closes either way.
          await update.mutateAsync(variables).catch(() => undefined);
        }}
      />
    </SectionCard>
  );
}
