import { ActionIcon, Button, Group, Menu, SegmentedControl, Text, TextInput, Tooltip } from '@mantine/core';
import {
  ArrowDownAZ,
  ArrowUpZA,
  FolderPlus,
  FolderUp,
  LayoutGrid,
  List,
  Search,
  Upload,
  X,
} from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { Entry, SortKey } from '../api/types';
import { useUploads } from '../upload/UploadProvider';
import { ACTION_ITEMS } from './action-items';
import { applies, type ActionKind } from './actions';
import type { ViewMode } from './EntryView';
import type { Sorting } from './useFolder';

export interface ToolbarProps {
  folder: string;
  mode: ViewMode;
  onMode(mode: ViewMode): void;
  sorting: Sorting;
  onSorting(sorting: Sorting): void;
  filter: string;
  onFilter(filter: string): void;
  /** The filter sees only the pages loaded so far. */
  filterPartial: boolean;
  selected: Entry[];
  /** Entries in the folder, when more than are loaded (a selection covers only loaded ones). */
  partialOf: number | null;
  onAction(kind: ActionKind): void;
  onNewFolder(): void;
  onClearSelection(): void;
}

const SORT_KEYS: SortKey[] = ['name', 'size', 'modified'];

export function Toolbar(props: ToolbarProps) {
  const { t } = useTranslation('files');
  const uploads = useUploads();
  const count = props.selected.length;

  const pickFiles = (directory: boolean) => {
    const input = document.querySelector<HTMLInputElement>(
      `[data-testid="${directory ? 'upload-input-folder' : 'upload-input-files'}"]`,
    );
    input?.click();
  };

  return (
    <Group px="md" py="xs" gap="xs" justify="space-between" wrap="wrap">
      {count > 0 ? (
        <Group gap={4} wrap="wrap">
          <Tooltip label={t('clearSelection')}>
            <ActionIcon variant="subtle" onClick={props.onClearSelection} aria-label={t('clearSelection')}>
              <X size={16} />
            </ActionIcon>
          </Tooltip>
          <Text size="sm" fw={600} mr="xs" data-testid="selection-count">
            {props.partialOf !== null
              ? t('selectedOfLoaded', { count, total: props.partialOf })
              : t('selected', { count })}
          </Text>
          {ACTION_ITEMS.filter((item) => applies(item.kind, props.selected)).map((item) => (
            <Tooltip key={item.kind} label={t(item.label)}>
              <ActionIcon
                variant="light"
                color={item.danger ? 'red' : undefined}
                size="lg"
                aria-label={t(item.label)}
                data-testid={`action-${item.kind}`}
                onClick={() => props.onAction(item.kind)}
              >
                <item.icon size={18} />
              </ActionIcon>
            </Tooltip>
          ))}
        </Group>
      ) : (
        <Group gap="xs" wrap="wrap">
          <Button
            leftSection={<Upload size={16} />}
            onClick={() => pickFiles(false)}
            data-testid="upload-files"
          >
            {t('upload')}
          </Button>
          <Button
            variant="default"
            leftSection={<FolderUp size={16} />}
            onClick={() => pickFiles(true)}
            data-testid="upload-folder"
            visibleFrom="xs"
          >
            {t('uploadFolder')}
          </Button>
          <Button
            variant="default"
            leftSection={<FolderPlus size={16} />}
            onClick={props.onNewFolder}
            data-testid="new-folder"
          >
            {t('newFolder')}
          </Button>
        </Group>
      )}
      <Group gap="xs" wrap="nowrap">
        <Tooltip
          label={props.filterPartial ? t('filterPartial') : t('filterHint')}
          disabled={!props.filter && !props.filterPartial}
        >
          <TextInput
            size="sm"
            w={{ base: 140, sm: 200 }}
            placeholder={t('filter')}
            leftSection={<Search size={14} />}
            value={props.filter}
            onChange={(e) => props.onFilter(e.currentTarget.value)}
            aria-label={t('filter')}
            data-testid="filter-input"
          />
        </Tooltip>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Tooltip label={t('sort')}>
              <ActionIcon variant="default" size="lg" aria-label={t('sort')} data-testid="sort-menu">
                {props.sorting.order === 'asc' ? <ArrowDownAZ size={18} /> : <ArrowUpZA size={18} />}
              </ActionIcon>
            </Tooltip>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>{t('sortBy')}</Menu.Label>
            {SORT_KEYS.map((key) => (
              <Menu.Item
                key={key}
                fw={props.sorting.sort === key ? 700 : undefined}
                data-testid={`sort-${key}`}
                onClick={() => props.onSorting({ ...props.sorting, sort: key })}
              >
                {t(`sortKey.${key}`)}
              </Menu.Item>
            ))}
            <Menu.Divider />
            {(['asc', 'desc'] as const).map((order) => (
              <Menu.Item
                key={order}
                fw={props.sorting.order === order ? 700 : undefined}
                data-testid={`order-${order}`}
                onClick={() => props.onSorting({ ...props.sorting, order })}
              >
                {t(`order.${order}`)}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
        <SegmentedControl
          size="xs"
          value={props.mode}
          onChange={(value) => props.onMode(value as ViewMode)}
          data={[
            { value: 'list', label: <List size={16} aria-label={t('listView')} data-testid="view-list" /> },
            {
              value: 'grid',
              label: <LayoutGrid size={16} aria-label={t('gridView')} data-testid="view-grid" />,
            },
          ]}
        />
      </Group>
      <input
        type="file"
        multiple
        hidden
        data-testid="upload-input-files"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          uploads.add(
            files.map((file) => ({ file, relativePath: file.name })),
            props.folder,
          );
        }}
      />
      <input
        type="file"
        hidden
        data-testid="upload-input-folder"
        // Not in React's types, but every current browser supports it.
        {...{ webkitdirectory: '', directory: '' }}
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          uploads.add(
            files.map((file) => ({ file, relativePath: file.webkitRelativePath || file.name })),
            props.folder,
          );
        }}
      />
    </Group>
  );
}
