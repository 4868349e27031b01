import { Menu } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Entry } from '../api/types';
import { ACTION_ITEMS } from './action-items';
import { applies, type ActionKind } from './actions';

export interface MenuTarget {
  entry: Entry;
  x: number;
  y: number;
}

/** The per-entry menu (its ⋮ button or a right-click), acting on the selection it belongs to. */
export function EntryMenu(props: {
  target: MenuTarget | null;
  selected: Entry[];
  onAction(kind: ActionKind, entries: Entry[]): void;
  onClose(): void;
}) {
  const { t } = useTranslation('files');
  const { target } = props;
  const entries =
    target && props.selected.some((e) => e.path === target.entry.path)
      ? props.selected
      : target
        ? [target.entry]
        : [];
  return (
    <Menu
      opened={target !== null}
      onChange={(open) => !open && props.onClose()}
      position="bottom-end"
      withinPortal
    >
      <Menu.Target>
        <div style={{ position: 'fixed', left: target?.x ?? 0, top: target?.y ?? 0, width: 1, height: 1 }} />
      </Menu.Target>
      <Menu.Dropdown data-testid="entry-menu-dropdown">
        {ACTION_ITEMS.filter((item) => applies(item.kind, entries)).map((item) => (
          <Menu.Item
            key={item.kind}
            color={item.danger ? 'red' : undefined}
            leftSection={<item.icon size={16} />}
            data-testid={`menu-${item.kind}`}
            onClick={() => {
              props.onClose();
              props.onAction(item.kind, entries);
            }}
          >
            {t(item.label)}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
