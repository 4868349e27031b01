import {
  ActionIcon,
  Alert,
  Anchor,
  Center,
  Group,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Lock, LockOpen, Share2, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/client';
import { FileIcon } from '../files/FileIcon';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { messageOf } from '../ui/errors';
import { notifyDone, notifyError } from '../ui/errors';
import { formatDate } from '../ui/format';
import { folderRoute, parentOf } from '../ui/paths';
import { ScrollPage } from '../ui/ScrollPage';
import type { Share } from './share-types';
import { ShareStateBadge } from './ShareStateBadge';

/** The folder that shows a shared item: the folder itself, or the one holding the file. */
function locationRoute(share: Share): string | null {
  if (share.path === null) return null;
  return folderRoute(share.kind === 'dir' ? share.path : parentOf(share.path));
}

/** The signed-in user's share links: their state and use, and revoking them. */
export function MySharesPage() {
  const { t } = useTranslation('share');
  const client = useQueryClient();
  const phone = useMediaQuery('(max-width: 48em)', false, { getInitialValueInEffect: false });
  const shares = useQuery({
    queryKey: ['shares'],
    queryFn: async ({ signal }) => (await api<{ shares: Share[] }>('/shares', { signal })).shares,
  });
  const [revoking, setRevoking] = useState<Share | null>(null);
  const revoke = useMutation({
    mutationFn: (share: Share) => api(`/shares/${share.id}`, { method: 'DELETE' }),
    onSuccess: (_, share) => {
      setRevoking(null);
      notifyDone(t('mine.revoked', { name: share.name }));
    },
    onError: (error) => notifyError(t('mine.revokeFailed'), error),
    onSettled: () => client.invalidateQueries({ queryKey: ['shares'] }),
  });

  let body;
  if (shares.isPending) {
    body = (
      <Center py="xl">
        <Loader />
      </Center>
    );
  } else if (shares.error) {
    body = (
      <Alert color="red" title={t('mine.loadFailed')}>
        {messageOf(shares.error)}
      </Alert>
    );
  } else if (shares.data.length === 0) {
    body = (
      <Stack align="center" gap="xs" py={48} data-testid="shares-empty">
        <Share2 size={40} color="var(--mantine-color-dimmed)" />
        <Text fw={500}>{t('mine.empty')}</Text>
        <Text size="sm" c="dimmed" ta="center" maw={420}>
          {t('mine.emptyHint')}
        </Text>
      </Stack>
    );
  } else {
    const props = { shares: shares.data, onRevoke: setRevoking };
    body = (
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('mine.onlyOnceHint')}
        </Text>
        {phone ? <ShareCards {...props} /> : <ShareTable {...props} />}
      </Stack>
    );
  }

  return (
    <ScrollPage title={t('mine.title')} testId="my-shares">
      {body}
      <ConfirmDialog
        opened={revoking !== null}
        title={t('mine.revokeTitle')}
        message={t('mine.revokeText', { name: revoking?.name ?? '' })}
        confirmLabel={t('mine.revoke')}
        danger
        onConfirm={async () => {
          if (revoking) await revoke.mutateAsync(revoking);
        }}
        onClose={() => setRevoking(null)}
      />
    </ScrollPage>
  );
}

interface ShareListProps {
  shares: Share[];
  onRevoke(share: Share): void;
}

function useShareText() {
  const { t, i18n } = useTranslation('share');
  return {
    downloads: (share: Share) =>
      share.maxDownloads === null ? String(share.downloads) : `${share.downloads} / ${share.maxDownloads}`,
    expiry: (share: Share) =>
      share.expiresAt === null ? t('mine.never') : formatDate(share.expiresAt, i18n.language),
  };
}

function Name({ share }: { share: Share }) {
  return (
    <Group gap={8} wrap="nowrap" style={{ minWidth: 0 }}>
      <FileIcon entry={share} />
      <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
        {share.name}
      </Text>
    </Group>
  );
}

function Location({ share }: { share: Share }) {
  const { t } = useTranslation('share');
  const route = locationRoute(share);
  if (route === null) {
    return (
      <Text size="sm" c="dimmed" fs="italic">
        {t('mine.inTrash')}
      </Text>
    );
  }
  return (
    <Anchor component={Link} to={route} size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
      {share.path}
    </Anchor>
  );
}

function PasswordMark({ share }: { share: Share }) {
  const { t } = useTranslation('share');
  const label = share.hasPassword ? t('mine.withPassword') : t('mine.withoutPassword');
  return (
    <Tooltip label={label}>
      <Group gap={4} wrap="nowrap" aria-label={label} data-testid="share-password-mark">
        {share.hasPassword ? <Lock size={16} /> : <LockOpen size={16} color="var(--mantine-color-dimmed)" />}
        <Text size="sm" c={share.hasPassword ? undefined : 'dimmed'}>
          {share.hasPassword ? t('mine.yes') : t('mine.no')}
        </Text>
      </Group>
    </Tooltip>
  );
}

function RevokeButton({ share, onRevoke }: { share: Share; onRevoke(share: Share): void }) {
  const { t } = useTranslation('share');
  return (
    <Tooltip label={t('mine.revoke')}>
      <ActionIcon
        variant="subtle"
        color="red"
        size="lg"
        aria-label={t('mine.revokeNamed', { name: share.name })}
        onClick={() => onRevoke(share)}
        data-testid="share-revoke"
      >
        <Trash2 size={18} />
      </ActionIcon>
    </Tooltip>
  );
}

function ShareTable({ shares, onRevoke }: ShareListProps) {
  const { t } = useTranslation('share');
  const text = useShareText();
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="sm" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('mine.name')}</Table.Th>
            <Table.Th>{t('mine.location')}</Table.Th>
            <Table.Th>{t('mine.state')}</Table.Th>
            <Table.Th>{t('mine.downloads')}</Table.Th>
            <Table.Th>{t('mine.expires')}</Table.Th>
            <Table.Th>{t('mine.password')}</Table.Th>
            <Table.Th w={56}>
              <VisuallyHidden>{t('mine.actions')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shares.map((share) => (
            <Table.Tr key={share.id} data-testid="share-row" data-name={share.name} data-state={share.state}>
              <Table.Td maw={260}>
                <Name share={share} />
              </Table.Td>
              <Table.Td maw={260}>
                <Location share={share} />
              </Table.Td>
              <Table.Td>
                <ShareStateBadge state={share.state} />
              </Table.Td>
              <Table.Td data-testid="share-downloads">{text.downloads(share)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{text.expiry(share)}</Table.Td>
              <Table.Td>
                <PasswordMark share={share} />
              </Table.Td>
              <Table.Td>
                <RevokeButton share={share} onRevoke={onRevoke} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ShareCards({ shares, onRevoke }: ShareListProps) {
  const { t } = useTranslation('share');
  const text = useShareText();
  return (
    <Stack gap="sm">
      {shares.map((share) => (
        <Paper
          key={share.id}
          withBorder
          radius="md"
          p="sm"
          data-testid="share-row"
          data-name={share.name}
          data-state={share.state}
        >
          <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
            <Stack gap={6} style={{ minWidth: 0, flex: 1 }}>
              <Name share={share} />
              <Location share={share} />
              <Group gap="xs">
                <ShareStateBadge state={share.state} />
                <PasswordMark share={share} />
              </Group>
              <Text size="xs" c="dimmed">
                {t('mine.downloads')}: <span data-testid="share-downloads">{text.downloads(share)}</span> ·{' '}
                {t('mine.expires')}: {text.expiry(share)}
              </Text>
            </Stack>
            <RevokeButton share={share} onRevoke={onRevoke} />
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}
