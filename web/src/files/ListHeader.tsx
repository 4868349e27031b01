import { Group, Text, UnstyledButton } from '@mantine/core';
import { ChevronDown, ChevronUp } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { SortKey } from '../api/types';
import type { Sorting } from './useFolder';
import classes from './EntryView.module.css';

/** Name, size and modified: a click sorts by the column, a second click turns the order round. */
export function ListHeader({ sorting, onSorting }: { sorting: Sorting; onSorting(sorting: Sorting): void }) {
  const { t } = useTranslation('files');
  const column = (key: SortKey, className: string | undefined, visibleFrom?: 'xs' | 'sm') => {
    const active = sorting.sort === key;
    return (
      <UnstyledButton
        className={className}
        visibleFrom={visibleFrom}
        data-testid={`column-${key}`}
        aria-sort={active ? (sorting.order === 'asc' ? 'ascending' : 'descending') : 'none'}
        onClick={() =>
          onSorting({ sort: key, order: active && sorting.order === 'asc' ? 'desc' : active ? 'asc' : 'asc' })
        }
      >
        <Group gap={2} wrap="nowrap" justify={key === 'size' ? 'flex-end' : 'flex-start'}>
          <Text size="xs" fw={600} c={active ? undefined : 'dimmed'}>
            {t(`sortKey.${key}`)}
          </Text>
          {active && (sorting.order === 'asc' ? <ChevronUp size={12} /> : <ChevronDown size={12} />)}
        </Group>
      </UnstyledButton>
    );
  };
  return (
    <div className={classes.header} role="row">
      <span className={classes.headerSpacer} />
      {column('name', classes.nameCell)}
      {column('size', classes.size, 'xs')}
      {column('modified', classes.modified, 'sm')}
      <span className={classes.headerMenu} />
    </div>
  );
}
