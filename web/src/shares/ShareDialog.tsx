import {
  Alert,
  Button,
  Group,
  List,
  Modal,
  NativeSelect,
  NumberInput,
  PasswordInput,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { CircleCheck, Link2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client';
import type { Entry } from '../api/types';
import { basePath } from '../env';
import { FileIcon } from '../files/FileIcon';
import { useLastValue } from '../preview/use-last-value';
import { ErrorAlert } from '../ui/ErrorAlert';
import { messageOf } from '../ui/errors';
import { formatDate } from '../ui/format';
import { EXPIRY_PRESETS, expiryOf, localInputValue, type ExpiryPreset } from './expiry';
import type { CreatedShare, NewShare } from './share-types';
import { ShareLinkField } from './ShareLinkField';

export interface ShareDialogProps {
  entry: Entry | null;
  onClose(): void;
}

const MIN_PASSWORD = 4;
const MAX_DOWNLOADS = 1_000_000_000;
/** Server refusals with a message of our own. */
const KNOWN_ERRORS = ['WEAK_PASSWORD', 'BAD_EXPIRY', 'BAD_LIMIT', 'TOO_MANY_SHARES', 'ROOT_PATH'];

/** The full address of a share link under this drive's BASE_PATH. */
export function shareLinkUrl(token: string): string {
  return `${window.location.origin}${basePath}/s/${encodeURIComponent(token)}`;
}

/** Creates a share link for a file or folder, then shows the link once. */
export function ShareDialog({ entry, onClose }: ShareDialogProps) {
  const { t } = useTranslation('share');
  const shown = useLastValue(entry);
  return (
    <Modal
      opened={entry !== null}
      onClose={onClose}
      title={t('dialog.title')}
      size="lg"
      attributes={{ content: { 'data-testid': 'share-dialog' } }}
    >
      {/* Mounted afresh for every opening: a link shown once never shows again. */}
      {shown && <ShareForm key={shown.path} entry={shown} onClose={onClose} />}
    </Modal>
  );
}

function ShareForm({ entry, onClose }: { entry: Entry; onClose(): void }) {
  const { t, i18n } = useTranslation('share');
  const client = useQueryClient();
  const [password, setPassword] = useState('');
  const [preset, setPreset] = useState<ExpiryPreset>('never');
  const [custom, setCustom] = useState(() => localInputValue(new Date(Date.now() + 7 * 24 * 3600_000)));
  const [maxDownloads, setMaxDownloads] = useState<number | string>('');
  const [problem, setProblem] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: (input: NewShare) => api<CreatedShare>('/shares', { body: input }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['shares'] }),
  });

  if (create.data) return <Created created={create.data} onClose={onClose} />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    if (password && password.length < MIN_PASSWORD)
      return setProblem(t('dialog.passwordTooShort', { min: MIN_PASSWORD }));
    const expiresAt = expiryOf(preset, custom, Date.now());
    if (expiresAt === 'invalid') return setProblem(t('dialog.expiryInPast'));
    const limit = typeof maxDownloads === 'number' ? maxDownloads : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
      return setProblem(t('dialog.badLimit'));
    create.mutate({ path: entry.path, password: password || undefined, expiresAt, maxDownloads: limit });
  };

  const error = create.error;
  const errorText =
    error instanceof ApiError && KNOWN_ERRORS.includes(error.code)
      ? t(`errors.${error.code}`)
      : messageOf(error);

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Group gap="xs" wrap="nowrap">
          <FileIcon entry={entry} />
          <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
            {entry.name}
          </Text>
        </Group>
        <PasswordInput
          label={t('dialog.password')}
          description={t('dialog.passwordHint')}
          placeholder={t('dialog.noPassword')}
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          data-testid="share-password"
        />
        <Group grow align="flex-start" gap="sm" wrap="wrap">
          <NativeSelect
            label={t('dialog.expiry')}
            value={preset}
            onChange={(event) => setPreset(event.currentTarget.value as ExpiryPreset)}
            data={EXPIRY_PRESETS.map((value) => ({ value, label: t(`dialog.expiryPreset.${value}`) }))}
            data-testid="share-expiry"
            miw={180}
          />
          <NumberInput
            label={t('dialog.maxDownloads')}
            placeholder={t('dialog.unlimited')}
            min={1}
            max={MAX_DOWNLOADS}
            allowDecimal={false}
            allowNegative={false}
            value={maxDownloads}
            onChange={setMaxDownloads}
            data-testid="share-max-downloads"
            miw={180}
          />
        </Group>
        {preset === 'custom' && (
          <TextInput
            type="datetime-local"
            label={t('dialog.expiresAt')}
            value={custom}
            min={localInputValue(new Date())}
            onChange={(event) => setCustom(event.currentTarget.value)}
            data-testid="share-expiry-date"
          />
        )}
        {preset !== 'never' && preset !== 'custom' && (
          <Text size="xs" c="dimmed">
            {t('dialog.expiresOn', {
              date: formatDate(
                (expiryOf(preset, custom, Date.now()) as number | undefined) ?? Date.now(),
                i18n.language,
              ),
            })}
          </Text>
        )}
        <ErrorAlert error={problem ?? (error ? errorText : null)} testId="share-error" />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('common:cancel')}
          </Button>
          <Button
            type="submit"
            loading={create.isPending}
            leftSection={<Link2 size={16} />}
            data-testid="share-create"
          >
            {t('dialog.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Created({ created, onClose }: { created: CreatedShare; onClose(): void }) {
  const { t, i18n } = useTranslation('share');
  const { share } = created;
  return (
    <Stack gap="md">
      <Alert color="teal" icon={<CircleCheck size={18} />} title={t('dialog.created')}>
        {t('dialog.onlyOnce')}
      </Alert>
      <ShareLinkField url={shareLinkUrl(created.token)} />
      <List size="sm" spacing={4}>
        <List.Item>
          {share.hasPassword ? t('dialog.summaryPassword') : t('dialog.summaryNoPassword')}
        </List.Item>
        <List.Item>
          {share.expiresAt === null
            ? t('dialog.summaryNoExpiry')
            : t('dialog.summaryExpiry', { date: formatDate(share.expiresAt, i18n.language) })}
        </List.Item>
        <List.Item>
          {share.maxDownloads === null
            ? t('dialog.summaryNoLimit')
            : t('dialog.summaryLimit', { count: share.maxDownloads })}
        </List.Item>
      </List>
      <Text size="xs" c="dimmed">
        {t('dialog.manage')}
      </Text>
      <Group justify="flex-end">
        <Button onClick={onClose} data-testid="share-done">
          {t('common:done')}
        </Button>
      </Group>
    </Stack>
  );
}
