import { ActionIcon, Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { RefreshCw } from 'lucide-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { SessionInfo, User } from '../api/types';
import { useUser } from '../auth/session';
import { formatBytes } from '../ui/format';
import { SectionCard } from '../ui/SectionCard';
import { usageColor, usageFraction } from '../ui/usage';

/** The user's usage and quota, fetched fresh (the session's copy is as old as the sign-in). */
export function StorageSection() {
  const { t } = useTranslation('settings');
  const client = useQueryClient();
  const user = useUser();
  const me = useQuery({
    queryKey: ['me'],
    queryFn: ({ signal }) => api<{ user: User }>('/me', { signal }),
    refetchOnMount: 'always',
  });
  useEffect(() => {
    const fresh = me.data?.user;
    if (fresh)
      client.setQueryData<SessionInfo | null>(['session'], (old) => (old ? { ...old, user: fresh } : old));
  }, [me.data, client]);

  const quota = user.quotaBytes;
  const fraction = quota === null ? 0 : usageFraction(user.usedBytes, quota);
  return (
    <SectionCard
      title={t('storage.title')}
      testId="settings-storage"
      id="storage"
      actions={
        <Tooltip label={t('refresh')}>
          <ActionIcon
            variant="subtle"
            aria-label={t('refresh')}
            loading={me.isFetching}
            onClick={() => void me.refetch()}
          >
            <RefreshCw size={16} />
          </ActionIcon>
        </Tooltip>
      }
    >
      <Stack gap="xs">
        <Group justify="space-between" gap="xs">
          <Text size="sm" data-testid="storage-used">
            {quota === null
              ? t('storage.usedNoQuota', { used: formatBytes(user.usedBytes) })
              : t('storage.usedOfQuota', { used: formatBytes(user.usedBytes), quota: formatBytes(quota) })}
          </Text>
          {quota !== null && (
            <Text size="sm" c="dimmed">
              {t('storage.percent', { percent: Math.round(fraction * 100) })}
            </Text>
          )}
        </Group>
        {quota !== null ? (
          <>
            <Progress
              value={Math.min(100, fraction * 100)}
              color={usageColor(fraction)}
              size="lg"
              aria-label={t('storage.title')}
            />
            <Text size="xs" c="dimmed">
              {user.usedBytes >= quota
                ? t('storage.full')
                : t('storage.free', { free: formatBytes(quota - user.usedBytes) })}
            </Text>
          </>
        ) : (
          <Text size="xs" c="dimmed">
            {t('storage.noQuota')}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          {t('storage.note')}
        </Text>
      </Stack>
    </SectionCard>
  );
}
