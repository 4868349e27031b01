import { Alert, Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { User } from '../api/types';
import { formatBytes } from '../ui/format';
import { parseSizeInput, sizeInputText } from '../ui/size';

const MIN_PASSWORD_LENGTH = 8;

interface DialogProps {
  user: User;
  busy: boolean;
  /** The server's refusal, shown in the dialog. */
  error: string | null;
  onClose(): void;
}

function Buttons({
  busy,
  label,
  testId,
  onClose,
  disabled,
}: {
  busy: boolean;
  label: string;
  testId: string;
  onClose(): void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Group justify="flex-end" gap="sm">
      <Button variant="default" onClick={onClose} disabled={busy}>
        {t('cancel')}
      </Button>
      <Button type="submit" loading={busy} disabled={disabled} data-testid={testId}>
        {label}
      </Button>
    </Group>
  );
}

/** A user's quota, typed as "50 GB" or bytes; empty for none. */
export function QuotaDialog({
  user,
  busy,
  error,
  onClose,
  onSave,
}: DialogProps & { onSave(quota: number | null): void }) {
  const { t } = useTranslation('admin');
  const [text, setText] = useState(sizeInputText(user.quotaBytes));
  const parsed = parseSizeInput(text);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (parsed.ok) onSave(parsed.bytes);
  };
  const preview = !parsed.ok
    ? undefined
    : parsed.bytes === null
      ? t('quota.unlimited')
      : t('quota.preview', { size: formatBytes(parsed.bytes), bytes: parsed.bytes.toLocaleString() });
  return (
    <Modal
      opened
      onClose={onClose}
      title={t('quota.title', { name: user.username })}
      centered
      data-testid="quota-dialog"
    >
      <form onSubmit={submit}>
        <Stack>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <TextInput
            label={t('quota.label')}
            placeholder={t('quota.placeholder')}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            error={parsed.ok ? undefined : t('quota.invalid')}
            description={preview}
            data-autofocus
            data-testid="quota-input"
          />
          <Text size="xs" c="dimmed">
            {t('quota.hint', { used: formatBytes(user.usedBytes) })}
          </Text>
          <Buttons
            busy={busy}
            label={t('common:save')}
            testId="quota-submit"
            onClose={onClose}
            disabled={!parsed.ok}
          />
        </Stack>
      </form>
    </Modal>
  );
}

/** A new password for a user; their sessions end. */
export function PasswordDialog({
  user,
  busy,
  error,
  onClose,
  onSave,
}: DialogProps & { onSave(password: string): void }) {
  const { t } = useTranslation('admin');
  const [password, setPassword] = useState('');
  const short = password.length < MIN_PASSWORD_LENGTH;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!short) onSave(password);
  };
  return (
    <Modal
      opened
      onClose={onClose}
      title={t('resetPassword.title', { name: user.username })}
      centered
      data-testid="reset-password-dialog"
    >
      <form onSubmit={submit}>
        <Stack>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <PasswordInput
            label={t('resetPassword.label')}
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={
              password.length > 0 && short ? t('passwordTooShort', { min: MIN_PASSWORD_LENGTH }) : undefined
            }
            data-autofocus
            data-testid="reset-password-input"
          />
          <Text size="xs" c="dimmed">
            {t('resetPassword.hint')}
          </Text>
          <Buttons
            busy={busy}
            label={t('resetPassword.submit')}
            testId="reset-password-submit"
            onClose={onClose}
            disabled={short}
          />
        </Stack>
      </form>
    </Modal>
  );
}
