import { PasswordInput, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { User } from '../api/types';
import { MIN_PASSWORD_LENGTH } from '../auth/password-rules';
import { formatBytes } from '../ui/format';
import { FormModal } from '../ui/FormModal';
import { parseSizeInput, sizeInputText } from '../ui/size';

interface DialogProps {
  user: User;
  busy: boolean;
  /** The server's refusal, shown in the dialog. */
  error: string | null;
  onClose(): void;
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
  const preview = !parsed.ok
    ? undefined
    : parsed.bytes === null
      ? t('quota.unlimited')
      : t('quota.preview', { size: formatBytes(parsed.bytes), bytes: parsed.bytes.toLocaleString() });
  return (
    <FormModal
      opened
      title={t('quota.title', { name: user.username })}
      testId="quota-dialog"
      error={error}
      busy={busy}
      submitLabel={t('common:save')}
      submitTestId="quota-submit"
      submitDisabled={!parsed.ok}
      onSubmit={() => parsed.ok && onSave(parsed.bytes)}
      onClose={onClose}
    >
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
    </FormModal>
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
  return (
    <FormModal
      opened
      title={t('resetPassword.title', { name: user.username })}
      testId="reset-password-dialog"
      error={error}
      busy={busy}
      submitLabel={t('resetPassword.submit')}
      submitTestId="reset-password-submit"
      submitDisabled={short}
      onSubmit={() => onSave(password)}
      onClose={onClose}
    >
      <PasswordInput
        label={t('resetPassword.label')}
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        error={password.length > 0 && short ? t('passwordTooShort', { min: MIN_PASSWORD_LENGTH }) : undefined}
        data-autofocus
        data-testid="reset-password-input"
      />
      <Text size="xs" c="dimmed">
        {t('resetPassword.hint')}
      </Text>
    </FormModal>
  );
}
