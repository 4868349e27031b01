import { ActionIcon, Box, Checkbox, Group, Skeleton, Text, UnstyledButton } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useVirtualizer } from '@tanstack/react-virtual';
import { MoreVertical } from 'lucide-react';
import { useEffect, useRef, type MouseEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContentSource } from '../api/content-source';
import type { Entry } from '../api/types';
import { Thumbnail } from '../preview/Thumbnail';
import { formatBytes, formatDate } from '../ui/format';
import { FileIcon } from './FileIcon';
import classes from './EntryView.module.css';

export type ViewMode = 'list' | 'grid';

export interface EntryViewProps {
  mode: ViewMode;
  entries: Entry[];
  /** Rows the scrollbar is sized for; rows past `entries.length` are placeholders until loaded. */
  total: number;
  selected: ReadonlySet<string>;
  source: ContentSource;
  onNeedMore(): void;
  onClick(entry: Entry, index: number, event: MouseEvent): void;
  onOpen(entry: Entry): void;
  onToggle(entry: Entry, index: number): void;
  onMenu(entry: Entry, index: number, anchor: HTMLElement): void;
  empty: ReactNode;
  /** Column headers of the list view; clicking one sorts by it. */
  header?: ReactNode;
}

const ROW_HEIGHT = 44;
const CARD_WIDTH = 168;
const CARD_HEIGHT = 196;

/** A virtualised list or grid: only the rows on screen exist in the DOM, whatever the folder's size. */
export function EntryView(props: EntryViewProps) {
  const { t, i18n } = useTranslation('files');
  const scroll = useRef<HTMLDivElement>(null);
  const { ref: sizer, width } = useElementSize();
  const columns = props.mode === 'grid' ? Math.max(1, Math.floor((width || 800) / CARD_WIDTH)) : 1;
  const rowCount = Math.ceil(props.total / columns);
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroll.current,
    estimateSize: () => (props.mode === 'grid' ? CARD_HEIGHT : ROW_HEIGHT),
    overscan: 8,
  });
  useEffect(() => virtualizer.measure(), [props.mode, columns, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? (items[items.length - 1]!.index + 1) * columns : 0;
  const { entries, onNeedMore } = props;
  useEffect(() => {
    // Ask for the next page once the screen nears the end of what is loaded.
    if (lastIndex >= entries.length - columns * 4 && entries.length < props.total) onNeedMore();
  }, [lastIndex, entries.length, props.total, columns, onNeedMore]);

  const cell = (index: number) => {
    const entry = props.entries[index];
    if (!entry) {
      return props.mode === 'grid' ? (
        <Skeleton key={`s${index}`} h={CARD_HEIGHT - 16} w={CARD_WIDTH - 16} m={8} />
      ) : (
        <Skeleton key={`s${index}`} h={ROW_HEIGHT - 12} my={6} />
      );
    }
    const selected = props.selected.has(entry.path);
    const common = {
      'data-testid': 'entry',
      'data-name': entry.name,
      'data-kind': entry.kind,
      'aria-selected': selected,
      role: 'row',
      onClick: (event: MouseEvent) => props.onClick(entry, index, event),
      onDoubleClick: (event: MouseEvent) => {
        // The name is a button that opens on its first click already.
        if (!(event.target as HTMLElement).closest('[data-open-button]')) props.onOpen(entry);
      },
      onContextMenu: (event: MouseEvent<HTMLElement>) => {
        event.preventDefault();
        props.onMenu(entry, index, event.currentTarget);
      },
    };
    const menu = (
      <ActionIcon
        variant="subtle"
        color="gray"
        aria-label={t('actions')}
        data-testid="entry-menu"
        onClick={(event) => {
          event.stopPropagation();
          props.onMenu(entry, index, event.currentTarget);
        }}
      >
        <MoreVertical size={16} />
      </ActionIcon>
    );
    const check = (
      <Checkbox
        size="xs"
        checked={selected}
        aria-label={t('select', { name: entry.name })}
        onClick={(event) => event.stopPropagation()}
        onChange={() => props.onToggle(entry, index)}
      />
    );
    if (props.mode === 'grid') {
      return (
        <div key={entry.id} className={classes.card} data-selected={selected || undefined} {...common}>
          <Group justify="space-between" w="100%" className={classes.cardTop}>
            {check}
            {menu}
          </Group>
          <div className={classes.thumb}>
            {entry.kind === 'dir' ? (
              <FileIcon entry={entry} size={64} />
            ) : (
              <Thumbnail entry={entry} source={props.source} size={120} />
            )}
          </div>
          <Text size="sm" ta="center" lineClamp={2} className={classes.name} title={entry.name}>
            {entry.name}
          </Text>
        </div>
      );
    }
    return (
      <div key={entry.id} className={classes.row} data-selected={selected || undefined} {...common}>
        {check}
        <FileIcon entry={entry} />
        <div className={classes.nameCell}>
          <UnstyledButton
            className={classes.nameButton}
            data-open-button
            onClick={(event) => {
              // With a modifier, the name selects like the rest of the row; a second click of a
              // double-click is the row's.
              if (event.ctrlKey || event.metaKey || event.shiftKey) return;
              event.stopPropagation();
              if (event.detail <= 1) props.onOpen(entry);
            }}
            title={entry.name}
          >
            <Text size="sm" truncate="end">
              {entry.name}
            </Text>
          </UnstyledButton>
        </div>
        <Text size="sm" c="dimmed" className={classes.size} visibleFrom="xs">
          {entry.kind === 'dir' ? '—' : formatBytes(entry.size)}
        </Text>
        <Text size="sm" c="dimmed" className={classes.modified} visibleFrom="sm">
          {formatDate(entry.modifiedAt, i18n.language)}
        </Text>
        {menu}
      </div>
    );
  };

  return (
    <Box ref={sizer} className={classes.frame}>
      {props.mode === 'list' && props.total > 0 && props.header}
      <div ref={scroll} className={classes.scroll} data-testid="file-scroll" role="grid" tabIndex={-1}>
        {props.total === 0 ? (
          props.empty
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
            {items.map((row) => (
              <div
                key={row.key}
                className={props.mode === 'grid' ? classes.gridRow : undefined}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  width: '100%',
                  height: row.size,
                  transform: `translateY(${row.start}px)`,
                }}
              >
                {Array.from({ length: columns }, (_, c) => row.index * columns + c)
                  .filter((i) => i < props.total)
                  .map(cell)}
              </div>
            ))}
          </div>
        )}
      </div>
    </Box>
  );
}
