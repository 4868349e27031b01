import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Paper,
  Progress,
  ScrollArea,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ChevronDown, ChevronUp, Pause, Play, RotateCcw, X } from 'lucide-react';
import { useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { apiUrl } from '../env';
import { formatBytes, formatDuration } from '../ui/format';
import { baseName, parentOf } from '../ui/paths';
import type { UploadItem } from './upload-queue';
import { useUploads } from './UploadProvider';
import classes from './UploadPanel.module.css';

interface Unfinished {
  id: string;
  path: string;
  offset: number;
  length: number;
  updatedAt: number;
}

const percent = (sent: number, size: number) => (size === 0 ? 100 : Math.floor((sent / size) * 100));

function Item({ item }: { item: UploadItem }) {
  const { t } = useTranslation('upload');
  const queue = useUploads();
  const left = item.speed > 0 ? (item.size - item.sent) / item.speed : NaN;
  const color =
    item.status === 'error'
      ? 'red'
      : item.status === 'done'
        ? 'teal'
        : item.status === 'paused'
          ? 'gray'
          : 'blue';
  return (
    <Stack gap={2} data-testid="upload-item" data-name={item.name} className={classes.item}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="sm" truncate="end" title={item.path} style={{ minWidth: 0, flex: 1 }}>
          {item.name}
        </Text>
        <Group gap={2} wrap="nowrap">
          {(item.status === 'uploading' || item.status === 'queued') && (
            <ActionIcon
              size="sm"
              variant="subtle"
              aria-label={t('pause')}
              data-testid="upload-pause"
              onClick={() => queue.pause(item.id)}
            >
              <Pause size={14} />
            </ActionIcon>
          )}
          {(item.status === 'paused' || item.status === 'error') && (
            <ActionIcon
              size="sm"
              variant="subtle"
              aria-label={t('resume')}
              data-testid="upload-resume"
              onClick={() => queue.resume(item.id)}
            >
              {item.status === 'error' ? <RotateCcw size={14} /> : <Play size={14} />}
            </ActionIcon>
          )}
          {item.status !== 'done' && item.status !== 'cancelled' && (
            <ActionIcon
              size="sm"
              variant="subtle"
              color="red"
              aria-label={t('cancel')}
              data-testid="upload-cancel"
              onClick={() => queue.cancel(item.id)}
            >
              <X size={14} />
            </ActionIcon>
          )}
        </Group>
      </Group>
      <Progress
        value={percent(item.sent, item.size)}
        color={color}
        size="sm"
        animated={item.status === 'uploading'}
        data-testid="upload-progress"
        aria-valuenow={percent(item.sent, item.size)}
        aria-label={item.name}
      />
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text
          size="xs"
          c={item.status === 'error' ? 'red' : 'dimmed'}
          truncate="end"
          data-testid="upload-status"
          data-status={item.status}
        >
          {item.status === 'error' ? item.error : t(`status.${item.status}`)}
          {item.resumedFrom > 0 && item.status !== 'error'
            ? ` · ${t('resumedAt', { at: formatBytes(item.resumedFrom) })}`
            : ''}
          {item.retries > 0 && item.status === 'uploading' ? ` · ${t('retry', { count: item.retries })}` : ''}
        </Text>
        <Text size="xs" c="dimmed" style={{ flex: 'none' }}>
          {formatBytes(item.sent)} / {formatBytes(item.size)}
          {item.status === 'uploading' && item.speed > 0
            ? ` · ${formatBytes(item.speed)}/s · ${formatDuration(left)}`
            : ''}
        </Text>
      </Group>
    </Stack>
  );
}

function UnfinishedItem({ upload }: { upload: Unfinished }) {
  const { t } = useTranslation('upload');
  const queue = useUploads();
  const client = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [wrong, setWrong] = useState(false);
  return (
    <Stack gap={2} data-testid="upload-unfinished" data-name={baseName(upload.path)} className={classes.item}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text size="sm" truncate="end" title={upload.path} style={{ minWidth: 0, flex: 1 }}>
          {baseName(upload.path)}
        </Text>
        <Group gap={2} wrap="nowrap">
          <Tooltip label={t('pickToResume')}>
            <ActionIcon
              size="sm"
              variant="subtle"
              aria-label={t('pickToResume')}
              onClick={() => input.current?.click()}
            >
              <Play size={14} />
            </ActionIcon>
          </Tooltip>
          <ActionIcon
            size="sm"
            variant="subtle"
            color="red"
            aria-label={t('cancel')}
            onClick={() =>
              void api(`/uploads/${encodeURIComponent(upload.id)}`, { method: 'DELETE' }).finally(() =>
                client.invalidateQueries({ queryKey: ['uploads'] }),
              )
            }
          >
            <X size={14} />
          </ActionIcon>
        </Group>
      </Group>
      <Progress
        value={percent(upload.offset, upload.length)}
        color="gray"
        size="sm"
        aria-valuenow={percent(upload.offset, upload.length)}
      />
      <Text size="xs" c={wrong ? 'red' : 'dimmed'}>
        {wrong
          ? t('wrongFile', { size: formatBytes(upload.length) })
          : t('unfinished', { sent: formatBytes(upload.offset), size: formatBytes(upload.length) })}
      </Text>
      <input
        ref={input}
        type="file"
        hidden
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (!file) return;
          if (file.size !== upload.length) {
            setWrong(true);
            return;
          }
          setWrong(false);
          queue.add(
            [
              {
                file,
                relativePath: baseName(upload.path),
                resumeUrl: apiUrl(`/tus/${encodeURIComponent(upload.id)}`),
              },
            ],
            parentOf(upload.path),
          );
        }}
      />
    </Stack>
  );
}

/** Every upload of this page, and the server's unfinished ones that no upload here continues. */
export function UploadPanel() {
  const { t } = useTranslation('upload');
  const queue = useUploads();
  const items = useSyncExternalStore(queue.subscribe, queue.items);
  const [collapsed, setCollapsed] = useState(false);
  /** Closed by the user: items up to this id, and the server's unfinished list, stay hidden. */
  const [closed, setClosed] = useState<{ upTo: number; others: boolean }>({ upTo: 0, others: false });
  const unfinished = useQuery({
    queryKey: ['uploads'],
    queryFn: () => api<{ uploads: Unfinished[] }>('/uploads'),
    refetchInterval: items.some((i) => i.status === 'uploading') ? false : 60_000,
  });
  const here = new Set(items.filter((i) => i.status !== 'cancelled').map((i) => i.path));
  const others = (unfinished.data?.uploads ?? []).filter((u) => !here.has(u.path));
  const shown = items.filter((i) => i.status !== 'cancelled' && i.id > closed.upTo);
  if (shown.length === 0 && (others.length === 0 || closed.others)) return null;

  const size = shown.reduce((n, i) => n + i.size, 0);
  const sent = shown.reduce((n, i) => n + i.sent, 0);
  const speed = shown.reduce((n, i) => n + (i.status === 'uploading' ? i.speed : 0), 0);
  const active = shown.filter((i) => i.status === 'uploading' || i.status === 'queued').length;
  const failed = shown.filter((i) => i.status === 'error').length;
  const done = shown.filter((i) => i.status === 'done').length;
  const title =
    active > 0
      ? t('uploading', { count: active, percent: percent(sent, size) })
      : done > 0
        ? t('finished', { count: done })
        : failed > 0
          ? t('failedTitle', { count: failed })
          : t('unfinishedTitle');

  return (
    <Paper shadow="lg" withBorder className={classes.panel} data-testid="upload-panel">
      <UnstyledButton className={classes.header} onClick={() => setCollapsed((c) => !c)}>
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" fw={600} data-testid="upload-total">
            {title}
            {failed > 0 && (active > 0 || done > 0) && (
              <Badge color="red" size="xs" ml={6}>
                {t('failed', { count: failed })}
              </Badge>
            )}
          </Text>
          <Group gap={4} wrap="nowrap">
            {speed > 0 && (
              <Text size="xs" c="dimmed">
                {formatBytes(speed)}/s
              </Text>
            )}
            {collapsed ? <ChevronUp size={16} /> : <ChevronDown size={16} />}
          </Group>
        </Group>
        {size > 0 && <Progress value={percent(sent, size)} size="xs" mt={6} />}
      </UnstyledButton>
      {!collapsed && (
        <>
          <ScrollArea.Autosize mah={320} type="auto">
            <Stack gap={0}>
              {shown.map((item) => (
                <Item key={item.id} item={item} />
              ))}
              {others.length > 0 && (
                <Text size="xs" c="dimmed" px="sm" pt="xs">
                  {t('unfinishedTitle')}
                </Text>
              )}
              {others.map((upload) => (
                <UnfinishedItem key={upload.id} upload={upload} />
              ))}
            </Stack>
          </ScrollArea.Autosize>
          <Group justify="flex-end" gap="xs" p="xs">
            {active > 0 ? (
              <Button size="compact-xs" variant="default" onClick={() => queue.pauseAll()}>
                {t('pauseAll')}
              </Button>
            ) : (
              shown.some((i) => i.status === 'paused') && (
                <Button size="compact-xs" variant="default" onClick={() => queue.resumeAll()}>
                  {t('resumeAll')}
                </Button>
              )
            )}
            {done > 0 && (
              <Button size="compact-xs" variant="subtle" onClick={() => queue.clearFinished()}>
                {t('clearFinished')}
              </Button>
            )}
            {active === 0 && (
              <Button
                size="compact-xs"
                variant="subtle"
                color="gray"
                data-testid="upload-panel-close"
                onClick={() => setClosed({ upTo: Math.max(0, ...items.map((i) => i.id)), others: true })}
              >
                {t('close')}
              </Button>
            )}
          </Group>
        </>
      )}
    </Paper>
  );
}
