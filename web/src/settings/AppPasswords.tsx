import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Center,
  Code,
  Group,
  Loader,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { KeyRound, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { CopyIconButton } from '../ui/CopyIconButton';
import { ErrorAlert } from '../ui/ErrorAlert';
import { messageOf, notifyError } from '../ui/errors';
import { formatDate } from '../ui/format';
import {
  APP_PASSWORDS_KEY,
  createAppPassword,
  revokeAppPassword,
  useAppPasswords,
  type AppPassword,
} from './app-passwords-api';

/** The secret of the password just made, with a copy button: this is the only time it is shown. */
function NewSecret({ label, secret, onDismiss }: { label: string; secret: string; onDismiss(): void }) {
  const { t } = useTranslation('settings');
  return (
    <Alert color="green" icon={<KeyRound size={18} />} title={t('appPasswords.created', { label })}>
      <Stack gap="xs">
        <Text size="sm">{t('appPasswords.shownOnce')}</Text>
        <Group gap="xs" wrap="nowrap">
          <Code
            data-testid="app-password-value"
            fz="md"
            style={{ userSelect: 'all', overflowWrap: 'anywhere', flex: '0 1 auto' }}
          >
            {secret}
          </Code>
          <CopyIconButton value={secret} />
        </Group>
        <Group>
          <Button size="xs" variant="light" color="green" onClick={onDismiss}>
            {t('appPasswords.savedIt')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

function CreateForm({ onCreated }: { onCreated(label: string, secret: string): void }) {
  const { t } = useTranslation('settings');
  const [label, setLabel] = useState('');
  const [root, setRoot] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const create = useMutation({
    mutationFn: createAppPassword,
    onSuccess: ({ appPassword, password }) => {
      setLabel('');
      setRoot('');
      setReadOnly(false);
      onCreated(appPassword.label, password);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ label: label.trim(), readOnly, root: root.trim() || undefined });
  };
  return (
    <form onSubmit={submit} data-testid="app-password-form">
      <Stack gap="sm">
        <ErrorAlert error={create.isError ? messageOf(create.error) : null} />
        <Group align="flex-start" gap="sm" grow preventGrowOverflow={false} wrap="wrap">
          <TextInput
            label={t('appPasswords.label')}
            description={t('appPasswords.labelHint')}
            placeholder={t('appPasswords.labelPlaceholder')}
            value={label}
            onChange={(e) => setLabel(e.currentTarget.value)}
            maxLength={100}
            required
            miw={180}
            data-testid="app-password-label"
          />
          <TextInput
            label={t('appPasswords.root')}
            description={t('appPasswords.rootHint')}
            placeholder="/"
            value={root}
            onChange={(e) => setRoot(e.currentTarget.value)}
            miw={180}
            data-testid="app-password-root"
          />
        </Group>
        <Switch
          label={t('appPasswords.readOnly')}
          description={t('appPasswords.readOnlyHint')}
          checked={readOnly}
          onChange={(e) => setReadOnly(e.currentTarget.checked)}
          data-testid="app-password-read-only"
        />
        <Group>
          <Button
            type="submit"
            loading={create.isPending}
            disabled={!label.trim()}
            data-testid="app-password-create"
          >
            {t('appPasswords.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function PasswordTable({ items, onRevoke }: { items: AppPassword[]; onRevoke(item: AppPassword): void }) {
  const { t, i18n } = useTranslation('settings');
  return (
    <Table.ScrollContainer minWidth={640} type="native">
      <Table verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('appPasswords.label')}</Table.Th>
            <Table.Th>{t('appPasswords.access')}</Table.Th>
            <Table.Th>{t('appPasswords.folder')}</Table.Th>
            <Table.Th>{t('appPasswords.createdAt')}</Table.Th>
            <Table.Th>{t('appPasswords.lastUsed')}</Table.Th>
            <Table.Th w={50} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.id} data-testid="app-password-row" data-name={item.label}>
              <Table.Td>
                <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                  {item.label}
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={item.readOnly ? 'gray' : 'blue'}>
                  {item.readOnly ? t('appPasswords.readOnlyBadge') : t('appPasswords.readWrite')}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {item.root === '/' ? t('appPasswords.wholeDrive') : item.root}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDate(item.createdAt, i18n.language)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={item.lastUsedAt === null ? 'dimmed' : undefined}>
                  {item.lastUsedAt === null
                    ? t('appPasswords.never')
                    : formatDate(item.lastUsedAt, i18n.language)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Tooltip label={t('appPasswords.revoke')}>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t('appPasswords.revokeItem', { label: item.label })}
                    onClick={() => onRevoke(item)}
                    data-testid="app-password-revoke"
                  >
                    <Trash2 size={16} />
                  </ActionIcon>
                </Tooltip>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** WebDAV app passwords: make one (its secret shown once), see them with their last use, revoke. */
export function AppPasswords() {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const list = useAppPasswords();
  const [fresh, setFresh] = useState<{ label: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<AppPassword | null>(null);
  const [asking, setAsking] = useState(false);
  const revoke = useMutation({
    mutationFn: (item: AppPassword) => revokeAppPassword(item.id),
    onSuccess: (_result, item) =>
      notifications.show({ message: t('appPasswords.revoked', { label: item.label }) }),
    onError: (error) => notifyError(t('appPasswords.revokeFailed'), error),
    onSettled: async () => {
      await client.invalidateQueries({ queryKey: APP_PASSWORDS_KEY });
    },
  });

  return (
    <Stack gap="md">
      {fresh && <NewSecret label={fresh.label} secret={fresh.secret} onDismiss={() => setFresh(null)} />}
      <CreateForm
        onCreated={(label, secret) => {
          setFresh({ label, secret });
          void client.invalidateQueries({ queryKey: APP_PASSWORDS_KEY });
        }}
      />
      {list.isPending ? (
        <Center py="md">
          <Loader size="sm" />
        </Center>
      ) : list.isError ? (
        <Alert color="red">{messageOf(list.error)}</Alert>
      ) : list.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('appPasswords.none')}
        </Text>
      ) : (
        <PasswordTable
          items={list.data}
          onRevoke={(item) => {
            setRevoking(item);
            setAsking(true);
          }}
        />
      )}
      <ConfirmDialog
        opened={asking}
        title={t('appPasswords.revokeTitle')}
        message={t('appPasswords.revokeConfirm', { label: revoking?.label ?? '' })}
        confirmLabel={t('appPasswords.revoke')}
        danger
        // A refusal is told by the mutation's notification; the dialog closes either way.
        onConfirm={() =>
          revoking
            ? revoke.mutateAsync(revoking).then(
                () => undefined,
                () => undefined,
              )
            : undefined
        }
        onClose={() => setAsking(false)}
      />
    </Stack>
  );
}
