import {
  Alert,
  Button,
  Checkbox,
  DataList,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Stethoscope, Trash } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { messageOf } from '../ui/errors';
import { formatBytes } from '../ui/format';
import { SectionCard } from '../ui/SectionCard';
import { runFsck, runGc, STORE_KEY, type FsckProblem, type FsckReport, type GcReport } from './admin-api';

/** Problems listed under an fsck report; the server sends up to 1,000. */
const PROBLEMS_SHOWN = 20;

function Facts({ rows, testId }: { rows: [string, ReactNode][]; testId: string }) {
  return (
    <DataList size="sm" labelWidth="50%" data-testid={testId}>
      {rows.map(([label, value]) => (
        <DataList.Item key={label}>
          <DataList.ItemLabel>{label}</DataList.ItemLabel>
          <DataList.ItemValue>{value}</DataList.ItemValue>
        </DataList.Item>
      ))}
    </DataList>
  );
}

function GcSummary({ report }: { report: GcReport }) {
  const { t } = useTranslation('admin');
  const usage = (bytes: number | null) => (bytes === null ? t('store.unknown') : formatBytes(bytes));
  return (
    <Stack gap="xs">
      <Text size="sm" fw={600}>
        {report.dryRun ? t('gc.doneDryRun') : t('gc.done')}
      </Text>
      <Facts
        testId="gc-report"
        rows={[
          [
            t('gc.chunksDropped'),
            t('gc.chunksValue', { count: report.chunksDropped, size: formatBytes(report.bytesDropped) }),
          ],
          [t('gc.packsRepacked'), report.packsRepacked],
          [
            t('gc.packsWritten'),
            t('gc.packsWrittenValue', { count: report.packsWritten, size: formatBytes(report.bytesMoved) }),
          ],
          [t('gc.packsDeleted'), report.packsDeleted],
          [t('gc.orphansDeleted'), report.orphansDeleted],
          [
            t('gc.storeBytes'),
            `${formatBytes(report.storeBytesBefore)} → ${formatBytes(report.storeBytesAfter)}`,
          ],
          [t('gc.usage'), `${usage(report.usageBefore)} → ${usage(report.usageAfter)}`],
          [t('gc.history'), report.historyReclaimed ? t('gc.historySquashed') : t('gc.historyKept')],
        ]}
      />
    </Stack>
  );
}

function problemText(problem: FsckProblem): string {
  const where = [
    problem.manifest !== undefined && `manifest ${problem.manifest}`,
    problem.chunk !== undefined && `chunk ${problem.chunk.slice(0, 16)}`,
    problem.pack !== undefined && `pack ${problem.pack}`,
    problem.key !== undefined && problem.key,
    (problem.expected != null || problem.actual != null) &&
      `expected ${problem.expected ?? '—'}, found ${problem.actual ?? '—'}`,
    problem.detail,
  ].filter(Boolean);
  return `${problem.kind}${where.length > 0 ? `: ${where.join(', ')}` : ''}`;
}

function FsckSummary({ report }: { report: FsckReport }) {
  const { t } = useTranslation('admin');
  const { checked } = report;
  return (
    <Stack gap="xs">
      <Alert
        color={
          report.problemCount === 0
            ? 'green'
            : report.repair && !report.dryRun && report.repaired >= report.problemCount
              ? 'yellow'
              : 'red'
        }
        title={
          report.problemCount === 0 ? t('fsck.clean') : t('fsck.problems', { count: report.problemCount })
        }
      >
        {report.repair && (
          <Text size="sm">
            {report.dryRun
              ? t('fsck.wouldRepair', { count: report.repaired })
              : t('fsck.repaired', { count: report.repaired })}
          </Text>
        )}
      </Alert>
      <Facts
        testId="fsck-report"
        rows={[
          [t('fsck.manifests'), checked.manifests],
          [t('fsck.chunks'), checked.chunks],
          [t('fsck.packs'), checked.packs],
          [t('fsck.objects'), checked.objects],
          ...(report.verify
            ? [
                [
                  t('fsck.verified'),
                  t('fsck.verifiedValue', {
                    count: checked.chunksVerified,
                    size: formatBytes(checked.bytesVerified),
                  }),
                ] as [string, ReactNode],
              ]
            : []),
        ]}
      />
      {report.problems.length > 0 && (
        <Stack gap={2}>
          {report.problems.slice(0, PROBLEMS_SHOWN).map((problem, index) => (
            <Text key={index} size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
              {problemText(problem)}
            </Text>
          ))}
          {report.problemCount > PROBLEMS_SHOWN && (
            <Text size="xs" c="dimmed">
              {t('fsck.moreProblems', { count: report.problemCount - PROBLEMS_SHOWN })}
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}

function Running() {
  const { t } = useTranslation('admin');
  return (
    <Text size="sm" c="dimmed" data-testid="maintenance-running">
      {t('maintenance.running')}
    </Text>
  );
}

/** Garbage collection and the consistency check; each call answers when the run is done. */
export function MaintenanceSection() {
  const { t } = useTranslation('admin');
  const client = useQueryClient();
  const [dryRun, setDryRun] = useState(false);
  const [verify, setVerify] = useState(false);
  const [repair, setRepair] = useState(false);
  const refreshStatus = () => client.invalidateQueries({ queryKey: STORE_KEY });
  const gc = useMutation({ mutationFn: runGc, onSettled: refreshStatus });
  const fsck = useMutation({ mutationFn: runFsck, onSettled: refreshStatus });
  // The server runs one at a time (409 otherwise); so does this page.
  const running = gc.isPending || fsck.isPending;

  return (
    <SectionCard
      title={t('maintenance.title')}
      description={t('maintenance.intro')}
      testId="admin-maintenance"
      id="maintenance"
    >
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Paper withBorder radius="md" p="sm">
          <Stack gap="sm">
            <Title order={3} size="h5">
              {t('gc.title')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('gc.intro')}
            </Text>
            <Checkbox
              label={t('gc.dryRun')}
              checked={dryRun}
              onChange={(e) => setDryRun(e.currentTarget.checked)}
              disabled={running}
            />
            <Group>
              <Button
                leftSection={<Trash size={16} />}
                loading={gc.isPending}
                disabled={running && !gc.isPending}
                onClick={() => gc.mutate({ dryRun })}
                data-testid="gc-run"
              >
                {t('gc.run')}
              </Button>
            </Group>
            {gc.isPending && <Running />}
            {gc.isError && (
              <Alert color="red" title={t('gc.failed')}>
                {messageOf(gc.error)}
              </Alert>
            )}
            {gc.isSuccess && <GcSummary report={gc.data} />}
          </Stack>
        </Paper>
        <Paper withBorder radius="md" p="sm">
          <Stack gap="sm">
            <Title order={3} size="h5">
              {t('fsck.title')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('fsck.intro')}
            </Text>
            <Checkbox
              label={t('fsck.verify')}
              description={t('fsck.verifyHint')}
              checked={verify}
              onChange={(e) => setVerify(e.currentTarget.checked)}
              disabled={running}
            />
            <Checkbox
              label={t('fsck.repair')}
              description={t('fsck.repairHint')}
              checked={repair}
              onChange={(e) => setRepair(e.currentTarget.checked)}
              disabled={running}
            />
            <Group>
              <Button
                leftSection={<Stethoscope size={16} />}
                loading={fsck.isPending}
                disabled={running && !fsck.isPending}
                onClick={() => fsck.mutate({ verify, repair })}
                data-testid="fsck-run"
              >
                {t('fsck.run')}
              </Button>
            </Group>
            {fsck.isPending && <Running />}
            {fsck.isError && (
              <Alert color="red" title={t('fsck.failed')}>
                {messageOf(fsck.error)}
              </Alert>
            )}
            {fsck.isSuccess && <FsckSummary report={fsck.data} />}
          </Stack>
        </Paper>
      </SimpleGrid>
    </SectionCard>
  );
}
