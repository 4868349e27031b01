import {
  ActionIcon,
  Checkbox,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  Tooltip,
  useMantineTheme,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { RotateCcw, Trash2 } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { FileIcon } from '../files/FileIcon';
import { formatBytes, formatDate } from '../ui/format';
import { parentOf } from '../ui/paths';
import type { TrashItem } from './trash-api';

export interface TrashListProps {
  items: TrashItem[];
  selected: ReadonlySet<number>;
  /** Items with an action under way: their buttons wait. */
  busy: ReadonlySet<number>;
  onToggle(id: number): void;
  onToggleAll(): void;
  onRestore(item: TrashItem): void;
  onPurge(item: TrashItem): void;
}

function ItemActions({
  item,
  busy,
  onRestore,
  onPurge,
}: { item: TrashItem; busy: boolean } & Pick<TrashListProps, 'onRestore' | 'onPurge'>) {
  const { t } = useTranslation('trash');
  return (
    <Group gap={4} wrap="nowrap" justify="flex-end">
      <Tooltip label={t('restore')}>
        <ActionIcon
          variant="subtle"
          aria-label={t('restoreItem', { name: item.name })}
          onClick={() => onRestore(item)}
          loading={busy}
          data-testid="trash-restore"
        >
          <RotateCcw size={18} />
        </ActionIcon>
      </Tooltip>
      <Tooltip label={t('purge')}>
        <ActionIcon
          variant="subtle"
          color="red"
          aria-label={t('purgeItem', { name: item.name })}
          onClick={() => onPurge(item)}
          disabled={busy}
          data-testid="trash-purge"
        >
          <Trash2 size={18} />
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}

function sizeText(item: TrashItem): string {
  return item.kind === 'dir' ? '—' : formatBytes(item.size);
}

/** The deleted items: a table on a wide screen, a stack of cards on a phone. */
export function TrashList(props: TrashListProps) {
  const { t, i18n } = useTranslation('trash');
  const theme = useMantineTheme();
  const phone = useMediaQuery(`(max-width: ${theme.breakpoints.sm})`);
  const { items, selected } = props;
  const all = items.length > 0 && items.every((item) => selected.has(item.id));
  const some = !all && items.some((item) => selected.has(item.id));

  if (phone) {
    return (
      <Stack gap="xs">
        <Checkbox
          label={t('selectAll')}
          checked={all}
          indeterminate={some}
          onChange={props.onToggleAll}
          size="sm"
        />
        {items.map((item) => (
          <Paper
            key={item.id}
            withBorder
            p="sm"
            data-testid="trash-entry"
            data-name={item.name}
            aria-selected={selected.has(item.id)}
          >
            <Group gap="sm" wrap="nowrap" align="flex-start">
              <Checkbox
                mt={2}
                checked={selected.has(item.id)}
                onChange={() => props.onToggle(item.id)}
                aria-label={t('selectItem', { name: item.name })}
              />
              <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
                <Group gap={6} wrap="nowrap">
                  <FileIcon entry={item} size={18} />
                  <Text fw={500} truncate="end">
                    {item.name}
                  </Text>
                </Group>
                <Text size="xs" c="dimmed" truncate="end">
                  {t('from', { path: parentOf(item.originalPath) })}
                </Text>
                <Text size="xs" c="dimmed">
                  {item.kind === 'dir'
                    ? formatDate(item.trashedAt, i18n.language)
                    : `${formatBytes(item.size)} · ${formatDate(item.trashedAt, i18n.language)}`}
                </Text>
              </Stack>
              <ItemActions
                item={item}
                busy={props.busy.has(item.id)}
                onRestore={props.onRestore}
                onPurge={props.onPurge}
              />
            </Group>
          </Paper>
        ))}
      </Stack>
    );
  }

  return (
    <Table highlightOnHover verticalSpacing="xs" layout="fixed">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={40}>
            <Checkbox
              checked={all}
              indeterminate={some}
              onChange={props.onToggleAll}
              aria-label={t('selectAll')}
            />
          </Table.Th>
          <Table.Th>{t('name')}</Table.Th>
          <Table.Th>{t('originalLocation')}</Table.Th>
          <Table.Th w={100} ta="right">
            {t('size')}
          </Table.Th>
          <Table.Th w={200}>{t('deletedAt')}</Table.Th>
          <Table.Th w={90} />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((item) => (
          <Table.Tr
            key={item.id}
            data-testid="trash-entry"
            data-name={item.name}
            aria-selected={selected.has(item.id)}
            bg={selected.has(item.id) ? 'var(--mantine-primary-color-light)' : undefined}
          >
            <Table.Td>
              <Checkbox
                checked={selected.has(item.id)}
                onChange={() => props.onToggle(item.id)}
                aria-label={t('selectItem', { name: item.name })}
              />
            </Table.Td>
            <Table.Td>
              <Group gap={8} wrap="nowrap">
                <FileIcon entry={item} />
                <Text size="sm" truncate="end" title={item.name}>
                  {item.name}
                </Text>
              </Group>
            </Table.Td>
            <Table.Td>
              <Text size="sm" c="dimmed" truncate="end" title={item.originalPath}>
                {parentOf(item.originalPath)}
              </Text>
            </Table.Td>
            <Table.Td ta="right">
              <Text size="sm">{sizeText(item)}</Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{formatDate(item.trashedAt, i18n.language)}</Text>
            </Table.Td>
            <Table.Td>
              <ItemActions
                item={item}
                busy={props.busy.has(item.id)}
                onRestore={props.onRestore}
                onPurge={props.onPurge}
              />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
