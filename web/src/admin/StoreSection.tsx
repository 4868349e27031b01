import { Alert, Badge, Center, Group, Loader, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { messageOf } from '../ui/errors';
import { formatBytes, formatDate } from '../ui/format';
import { formatRelative } from '../ui/relative-time';
import { SectionCard } from '../ui/SectionCard';
import { usageColor, usageFraction } from '../ui/usage';
import { backupOf, useStoreStatus, type ReplicationStatus, type StoreStatus } from './admin-api';
import { StatTile } from './StatTile';

const GRID = { base: 1, xs: 2, md: 3 } as const;

function useWhen(now: number) {
  const { t, i18n } = useTranslation('admin');
  return (at: number | null, never = t('store.never')) =>
    // A server clock a little ahead must not read as "in 3 seconds".
    at === null ? never : formatRelative(Math.min(at, now), now, i18n.language);
}

function FlushTiles({ status, now }: { status: StoreStatus; now: number }) {
  const { t, i18n } = useTranslation('admin');
  const when = useWhen(now);
  const usage = status.usage;
  const quota = usage?.quotaBytes ?? null;
  const used = usage?.usedBytes ?? null;
  return (
    <SimpleGrid cols={GRID} spacing="sm">
      <StatTile
        label={t('store.pending')}
        value={formatBytes(status.pendingBytes)}
        detail={
          status.oldestPendingAt === null
            ? t('store.nothingPending')
            : t('store.pendingDetail', { count: status.pendingPacks, age: when(status.oldestPendingAt) })
        }
        testId="store-pending"
      />
      <StatTile
        label={t('store.lastCommit')}
        value={when(status.lastCommitAt)}
        detail={status.lastCommitAt === null ? undefined : formatDate(status.lastCommitAt, i18n.language)}
      />
      <StatTile
        label={t('store.commitsLeft')}
        value={status.commitsLeftThisHour ?? t('store.noLimit')}
        detail={status.commitsLeftThisHour === null ? undefined : t('store.commitsLeftDetail')}
      />
      <StatTile
        label={t('store.buffers')}
        value={t('store.buffersValue', { free: status.buffers.free, total: status.buffers.total })}
        detail={t('store.buffersDetail')}
      />
      <StatTile
        label={t('store.usage')}
        value={used === null ? t('store.unknown') : formatBytes(used)}
        detail={quota === null ? t('store.usageDetail') : t('store.ofQuota', { quota: formatBytes(quota) })}
        testId="store-usage"
      >
        {used !== null && quota !== null && (
          <Progress
            size="sm"
            value={Math.min(100, usageFraction(used, quota) * 100)}
            color={usageColor(usageFraction(used, quota))}
          />
        )}
      </StatTile>
    </SimpleGrid>
  );
}

function ReplicationTiles({ replication, now }: { replication: ReplicationStatus; now: number }) {
  const { t } = useTranslation('admin');
  const when = useWhen(now);
  const backup = backupOf(replication);
  const behind = Math.max(0, replication.latestSeq - replication.shippedSeq);
  const snapshot = replication.lastSnapshot;
  return (
    <SimpleGrid cols={GRID} spacing="sm">
      <StatTile
        label={t('replication.pending')}
        value={behind}
        detail={
          replication.oldestPendingAt === null
            ? t('replication.upToDate', { seq: replication.shippedSeq })
            : t('replication.pendingDetail', {
                shipped: replication.shippedSeq,
                latest: replication.latestSeq,
                age: when(replication.oldestPendingAt),
              })
        }
      />
      <StatTile
        label={t('replication.lastSnapshot')}
        // A snapshot found in the store at start-up has no known time (at 0) or size.
        value={
          snapshot ? (snapshot.at > 0 ? when(snapshot.at) : t('replication.beforeStart')) : t('store.never')
        }
        detail={
          <>
            {snapshot &&
              (snapshot.bytes > 0
                ? t('replication.snapshotDetail', { seq: snapshot.seq, size: formatBytes(snapshot.bytes) })
                : t('replication.snapshotSeq', { seq: snapshot.seq }))}
            {snapshot && replication.pendingSnapshotSeq !== null && ' · '}
            {replication.pendingSnapshotSeq !== null &&
              t('replication.snapshotWaiting', { seq: replication.pendingSnapshotSeq })}
          </>
        }
      />
      <StatTile
        label={t('replication.inStore')}
        value={t('replication.snapshots', { count: replication.snapshotsInStore })}
        detail={t('replication.segments', { count: replication.segmentsInStore })}
      />
      <StatTile
        label={t('replication.backup')}
        value={backup ? when(backup.lastUploadAt, t('replication.noUploadYet')) : t('replication.noBackup')}
        detail={
          backup
            ? [
                backup.url,
                backup.lastSeq !== null ? t('replication.backupSeq', { seq: backup.lastSeq }) : null,
              ]
                .filter(Boolean)
                .join(' · ')
            : t('replication.noBackupDetail')
        }
        testId="store-backup"
      />
    </SimpleGrid>
  );
}

function Problems({ status, now }: { status: StoreStatus; now: number }) {
  const { t } = useTranslation('admin');
  const when = useWhen(now);
  const backup = backupOf(status.replication);
  const problems: { key: string; title: string; message: string }[] = [];
  if (status.lastError)
    problems.push({ key: 'store', title: t('store.storeError'), message: status.lastError });
  if (status.replication?.lastError) {
    problems.push({
      key: 'replication',
      title: t('replication.error'),
      message: status.replication.lastError,
    });
  }
  if (backup?.lastError) {
    const title =
      backup.lastErrorAt === null
        ? t('replication.backupError')
        : t('replication.backupErrorAt', { when: when(backup.lastErrorAt) });
    problems.push({ key: 'backup', title, message: backup.lastError });
  }
  return (
    <>
      {problems.map((p) => (
        <Alert key={p.key} color="red" title={p.title} data-testid="store-error">
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {p.message}
          </Text>
        </Alert>
      ))}
    </>
  );
}

/** Where the bytes are: what is not in the store yet, commits, buffers, usage, metadata replication. */
export function StoreSection() {
  const { t } = useTranslation('admin');
  const status = useStoreStatus();
  const now = status.dataUpdatedAt;
  const data = status.data;
  return (
    <SectionCard
      title={t('store.title')}
      description={t('store.intro')}
      testId="store-status"
      id="store"
      actions={
        data && (
          <Group gap={6}>
            <Badge variant="light" data-testid="store-kind">
              {t('store.kind', { kind: t(`store.kinds.${data.store}`, { defaultValue: data.store }) })}
            </Badge>
            <Badge
              variant="light"
              color={data.writeMode === 'durable' ? 'teal' : 'gray'}
              data-testid="store-write-mode"
            >
              {t('store.writeMode', {
                mode: t(`store.modes.${data.writeMode}`, { defaultValue: data.writeMode }),
              })}
            </Badge>
          </Group>
        )
      }
    >
      {status.isPending ? (
        <Center py="md">
          <Loader size="sm" />
        </Center>
      ) : !data ? (
        <Alert color="red">{messageOf(status.error)}</Alert>
      ) : (
        <Stack gap="md">
          {status.isError && (
            <Alert color="orange">{t('store.stale', { message: messageOf(status.error) })}</Alert>
          )}
          <Problems status={data} now={now} />
          <FlushTiles status={data} now={now} />
          <Title order={3} size="h5">
            {t('replication.title')}
          </Title>
          {data.replication ? (
            <ReplicationTiles replication={data.replication} now={now} />
          ) : (
            <Text size="sm" c="dimmed">
              {t('replication.off')}
            </Text>
          )}
        </Stack>
      )}
    </SectionCard>
  );
}
