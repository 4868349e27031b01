import { useCallback, useState, type MouseEvent } from 'react';
import type { Entry } from '../api/types';

/**
 * Selection as file managers do it: a click selects one, Ctrl/⌘-click toggles, Shift-click extends
 * from the last clicked row. Kept by path, so it survives pages loading underneath.
 */
export function useSelection(entries: Entry[]) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [anchor, setAnchor] = useState<number | null>(null);

  const click = useCallback(
    (entry: Entry, index: number, event: MouseEvent) => {
      if (event.shiftKey && anchor !== null) {
        const [from, to] = anchor < index ? [anchor, index] : [index, anchor];
        setSelected(new Set(entries.slice(from, to + 1).map((e) => e.path)));
        return;
      }
      if (event.ctrlKey || event.metaKey) {
        toggleAt(entry, index);
        return;
      }
      setSelected(new Set([entry.path]));
      setAnchor(index);
    },
    [anchor, entries],
  );

  const toggleAt = (entry: Entry, index: number) => {
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(entry.path)) next.delete(entry.path);
      else next.add(entry.path);
      return next;
    });
    setAnchor(index);
  };

  return {
    selected,
    selectedEntries: entries.filter((e) => selected.has(e.path)),
    click,
    toggle: toggleAt,
    selectAll: () => setSelected(new Set(entries.map((e) => e.path))),
    clear: () => {
      setSelected(new Set());
      setAnchor(null);
    },
    only: (entry: Entry) => setSelected(new Set([entry.path])),
  };
}
