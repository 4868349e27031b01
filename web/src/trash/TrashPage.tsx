import { Alert, Button, Center, EmptyState, Group, Loader, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { RotateCcw, Trash2 } from 'lucide-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { messageOf, notifyDone, notifyError } from '../ui/errors';
import { ScrollPage } from '../ui/ScrollPage';
import { emptyTrash, purgeItem, restoreItem, useTrash, useTrashRefresh, type TrashItem } from './trash-api';
import { TrashList } from './TrashList';

type Confirming = { kind: 'purge'; items: TrashItem[] } | { kind: 'empty' };

interface Failure {
  item: TrashItem;
  message: string;
}

/** Lists up to a few failures, each with the server's reason (a restore conflict, say). */
function failureList(failures: Failure[], more: (count: number) => string) {
  const shown = failures.slice(0, 5);
  return (
    <Stack gap={2}>
      {shown.map((f) => (
        <Text key={f.item.id} size="sm">
          {f.item.name}: {f.message}
        </Text>
      ))}
      {failures.length > shown.length && <Text size="sm">{more(failures.length - shown.length)}</Text>}
    </Stack>
  );
}

/** The trash: restore (one or many), delete forever, empty. */
export function TrashPage() {
  const { t } = useTranslation('trash');
  const trash = useTrash();
  const refresh = useTrashRefresh();
  const items = useMemo(() => trash.data?.pages.flatMap((page) => page.items) ?? [], [trash.data]);
  const [picked, setPicked] = useState<ReadonlySet<number>>(new Set());
  const [busy, setBusy] = useState<ReadonlySet<number>>(new Set());
  // What the dialog asks stays while it closes, so its text does not change as it fades out.
  const [confirming, setConfirming] = useState<Confirming>({ kind: 'empty' });
  const [asking, setAsking] = useState(false);
  const ask = (what: Confirming) => {
    setConfirming(what);
    setAsking(true);
  };

  // Only what is still listed counts as selected (items vanish after a change elsewhere).
  const selected = useMemo(
    () => new Set(items.filter((i) => picked.has(i.id)).map((i) => i.id)),
    [items, picked],
  );
  const selectedItems = items.filter((item) => selected.has(item.id));

  const toggle = (id: number) =>
    setPicked((old) => {
      const next = new Set(old);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const toggleAll = () =>
    setPicked(
      items.length > 0 && items.every((i) => selected.has(i.id))
        ? new Set()
        : new Set(items.map((i) => i.id)),
    );

  /** Runs an action on each item in turn; returns what it answered, and what failed. */
  async function runEach<T>(list: TrashItem[], action: (id: number) => Promise<T>) {
    const ids = list.map((item) => item.id);
    setBusy((old) => new Set([...old, ...ids]));
    const done: { item: TrashItem; result: T }[] = [];
    const failures: Failure[] = [];
    for (const item of list) {
      try {
        done.push({ item, result: await action(item.id) });
      } catch (error) {
        failures.push({ item, message: messageOf(error) });
      }
    }
    setBusy((old) => new Set([...old].filter((id) => !ids.includes(id))));
    setPicked((old) => new Set([...old].filter((id) => !done.some((d) => d.item.id === id))));
    await refresh();
    return { done, failures };
  }

  const restore = async (list: TrashItem[]) => {
    const { done, failures } = await runEach(list, restoreItem);
    const [only] = done;
    if (done.length === 1 && only) {
      notifyDone(t('restoredTo', { name: only.item.name, path: only.result.path }));
    } else if (done.length > 1) {
      notifyDone(t('restoredMany', { count: done.length }));
    }
    if (failures.length > 0) {
      notifications.show({
        color: 'red',
        title: t('restoreFailed', { count: failures.length }),
        message: failureList(failures, (count) => t('andMore', { count })),
        autoClose: false,
      });
    }
  };

  const purge = async (list: TrashItem[]) => {
    const { done, failures } = await runEach(list, purgeItem);
    if (done.length > 0) notifications.show({ message: t('purged', { count: done.length }) });
    if (failures.length > 0) {
      notifications.show({
        color: 'red',
        title: t('purgeFailed', { count: failures.length }),
        message: failureList(failures, (count) => t('andMore', { count })),
        autoClose: false,
      });
    }
  };

  const empty = async () => {
    try {
      const { purged } = await emptyTrash();
      setPicked(new Set());
      notifications.show({ message: t('emptied', { count: purged }) });
    } catch (error) {
      notifyError(t('emptyFailed'), error);
    } finally {
      await refresh();
    }
  };

  const actions = (
    <Group gap="xs">
      {selectedItems.length > 0 && (
        <>
          <Button
            variant="light"
            leftSection={<RotateCcw size={16} />}
            onClick={() => void restore(selectedItems)}
            data-testid="trash-restore-selected"
          >
            {t('restoreSelected', { count: selectedItems.length })}
          </Button>
          <Button
            variant="light"
            color="red"
            leftSection={<Trash2 size={16} />}
            onClick={() => ask({ kind: 'purge', items: selectedItems })}
            data-testid="trash-purge-selected"
          >
            {t('purgeSelected', { count: selectedItems.length })}
          </Button>
        </>
      )}
      <Button
        variant="outline"
        color="red"
        leftSection={<Trash2 size={16} />}
        disabled={items.length === 0}
        onClick={() => ask({ kind: 'empty' })}
        data-testid="trash-empty"
      >
        {t('empty')}
      </Button>
    </Group>
  );

  let body;
  if (trash.isPending) {
    body = (
      <Center py="xl">
        <Loader />
      </Center>
    );
  } else if (trash.isError) {
    body = (
      <Alert color="red" title={t('loadFailed')}>
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{messageOf(trash.error)}</Text>
          <Button size="xs" variant="light" color="red" onClick={() => void trash.refetch()}>
            {t('common:retry')}
          </Button>
        </Stack>
      </Alert>
    );
  } else if (items.length === 0) {
    body = (
      <EmptyState icon={<Trash2 size={32} />} title={t('emptyTitle')} description={t('emptyHint')} py="xl" />
    );
  } else {
    body = (
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          {t('hint')}
        </Text>
        <TrashList
          items={items}
          selected={selected}
          busy={busy}
          onToggle={toggle}
          onToggleAll={toggleAll}
          onRestore={(item) => void restore([item])}
          onPurge={(item) => ask({ kind: 'purge', items: [item] })}
        />
        {trash.hasNextPage && (
          <Center>
            <Button
              variant="default"
              loading={trash.isFetchingNextPage}
              onClick={() => void trash.fetchNextPage()}
            >
              {t('loadMore')}
            </Button>
          </Center>
        )}
      </Stack>
    );
  }

  const purging = confirming.kind === 'purge' ? confirming.items : [];
  return (
    <ScrollPage title={t('title')} actions={actions} testId="trash-page">
      {body}
      <ConfirmDialog
        opened={asking}
        title={confirming.kind === 'empty' ? t('emptyConfirmTitle') : t('purgeConfirmTitle')}
        message={
          confirming.kind === 'empty'
            ? t('emptyConfirm')
            : purging.length === 1
              ? t('purgeConfirmOne', { name: purging[0]!.name })
              : t('purgeConfirmMany', { count: purging.length })
        }
        confirmLabel={confirming.kind === 'empty' ? t('empty') : t('purge')}
        danger
        onConfirm={() => (confirming.kind === 'empty' ? empty() : purge(purging))}
        onClose={() => setAsking(false)}
      />
    </ScrollPage>
  );
}
