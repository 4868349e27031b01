import { Alert, Center, Group, Loader, Stack, Text } from '@mantine/core';
import { useLocalStorage } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { FolderOpen } from 'lucide-react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { driveSource } from '../api/content-source';
import type { Entry } from '../api/types';
import { PreviewModal } from '../preview/PreviewModal';
import { InfoDrawer } from '../preview/InfoDrawer';
import { ShareDialog } from '../shares/ShareDialog';
import { DropZone } from '../upload/DropZone';
import { folderRoute, parentOf, pathOfSplat } from '../ui/paths';
import { Breadcrumbs } from './Breadcrumbs';
import { EntryMenu, type MenuTarget } from './EntryMenu';
import { EntryView, type ViewMode } from './EntryView';
import { ListHeader } from './ListHeader';
import { FileDialogs, type DialogState } from './FileDialogs';
import { Toolbar } from './Toolbar';
import { useFolder, type Sorting } from './useFolder';
import { useSelection } from './selection';
import { VersionsModal } from './VersionsModal';
import { useFileActions } from './useFileActions';
import { useShortcuts } from './useShortcuts';

/** The file browser: one folder, its toolbar, the list or grid, and every dialog acting on it. */
export function FilesPage() {
  const { t } = useTranslation('files');
  const params = useParams();
  const path = pathOfSplat(params['*']);
  const navigate = useNavigate();
  const client = useQueryClient();
  const [mode, setMode] = useLocalStorage<ViewMode>({ key: 'hubdrive.view', defaultValue: 'list' });
  const [sorting, setSorting] = useLocalStorage<Sorting>({
    key: 'hubdrive.sort',
    defaultValue: { sort: 'name', order: 'asc' },
  });
  const [filter, setFilter] = useState('');
  const folder = useFolder(path, sorting);
  const visible = useMemo(() => {
    const needle = filter.trim().toLocaleLowerCase();
    return needle
      ? folder.entries.filter((e) => e.name.toLocaleLowerCase().includes(needle))
      : folder.entries;
  }, [filter, folder.entries]);
  const selection = useSelection(visible);
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  const [preview, setPreview] = useState<Entry | null>(null);
  const [info, setInfo] = useState<Entry | null>(null);
  const [share, setShare] = useState<Entry | null>(null);
  const [versions, setVersions] = useState<Entry | null>(null);

  // Each folder starts unfiltered and with nothing selected, however it was reached.
  const { clear } = selection;
  useEffect(() => {
    setFilter('');
    clear();
    // Only a new folder resets them; `clear` is made anew each render.
  }, [path]);

  // Listings start again from their first page: refetching every loaded page of a large folder
  // would cost one request per page; the rest load again as they are scrolled to.
  const refresh = useCallback(() => {
    void client.resetQueries({ queryKey: ['list'] });
    void client.invalidateQueries({ queryKey: ['session'] });
  }, [client]);

  const open = useCallback(
    (entry: Entry) => {
      if (entry.kind === 'dir') navigate(folderRoute(entry.path));
      else setPreview(entry);
    },
    [navigate],
  );

  const actions = useFileActions({
    open,
    setDialog,
    setShare,
    setVersions,
    setInfo,
    setPreview,
  });

  const targets = selection.selectedEntries;
  const up = () => path !== '/' && navigate(folderRoute(parentOf(path)));
  const overlay =
    dialog !== null ||
    menu !== null ||
    preview !== null ||
    info !== null ||
    share !== null ||
    versions !== null;
  useShortcuts(
    {
      'mod+a': () => selection.selectAll(),
      escape: () => selection.clear(),
      delete: () => targets.length > 0 && actions.run('delete', targets),
      f2: () => targets.length === 1 && actions.run('rename', targets),
      enter: () => targets.length === 1 && open(targets[0]!),
      backspace: up,
      'alt+arrowup': up,
      'shift+n': () => setDialog({ kind: 'mkdir', entries: [] }),
      'mod+i': () => targets.length === 1 && setInfo(targets[0]!),
    },
    !overlay,
  );

  const filteredTotal = filter.trim() ? visible.length : folder.total;

  let body;
  if (folder.isPending) {
    body = (
      <Center flex={1}>
        <Loader />
      </Center>
    );
  } else if (folder.error) {
    body = (
      <Alert color="red" m="md" title={t('cannotOpen')}>
        {folder.error.message}
      </Alert>
    );
  } else {
    body = (
      <EntryView
        mode={mode}
        entries={visible}
        total={filteredTotal}
        selected={selection.selected}
        source={driveSource}
        header={<ListHeader sorting={sorting} onSorting={setSorting} />}
        onNeedMore={folder.loadMore}
        onClick={selection.click}
        onToggle={selection.toggle}
        onOpen={open}
        onMenu={(entry, _index, anchor) => {
          if (!selection.selected.has(entry.path)) selection.only(entry);
          const rect = anchor.getBoundingClientRect();
          setMenu({ entry, x: rect.left + rect.width / 2, y: rect.bottom });
        }}
        empty={
          <Stack align="center" c="dimmed" py={80} gap="xs">
            <FolderOpen size={48} strokeWidth={1.2} />
            <Text>{filter.trim() ? t('noMatch') : t('emptyFolder')}</Text>
            {!filter.trim() && <Text size="sm">{t('emptyHint')}</Text>}
          </Stack>
        }
      />
    );
  }

  return (
    <DropZone folder={path}>
      <Stack gap={0} h="100%" data-testid="file-browser" style={{ minHeight: 0, flex: 1 }}>
        <Group px="md" pt="sm" pb={4} justify="space-between" wrap="nowrap">
          <Breadcrumbs path={path} />
          <Text size="xs" c="dimmed" style={{ flex: 'none' }} data-testid="entry-count">
            {t('count', { count: folder.total })}
          </Text>
        </Group>
        <Toolbar
          folder={path}
          mode={mode}
          onMode={setMode}
          sorting={sorting}
          onSorting={setSorting}
          filter={filter}
          onFilter={setFilter}
          filterPartial={Boolean(filter.trim()) && folder.hasMore}
          selected={targets}
          partialOf={folder.hasMore && targets.length === visible.length ? folder.total : null}
          onAction={(kind) => actions.run(kind, targets)}
          onNewFolder={() => setDialog({ kind: 'mkdir', entries: [] })}
          onClearSelection={selection.clear}
        />
        {body}
      </Stack>
      <EntryMenu target={menu} onClose={() => setMenu(null)} selected={targets} onAction={actions.run} />
      <FileDialogs folder={path} state={dialog} onClose={() => setDialog(null)} onDone={refresh} />
      <PreviewModal
        entry={preview}
        siblings={folder.entries}
        source={driveSource}
        onNavigate={setPreview}
        onInfo={(entry) => {
          setPreview(null);
          setInfo(entry);
        }}
        onClose={() => setPreview(null)}
      />
      <InfoDrawer entry={info} onClose={() => setInfo(null)} />
      <ShareDialog entry={share} onClose={() => setShare(null)} />
      <VersionsModal entry={versions} onClose={() => setVersions(null)} />
    </DropZone>
  );
}
