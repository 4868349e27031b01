import type { Entry } from '../api/types';

export type ActionKind =
  'open' | 'preview' | 'download' | 'rename' | 'move' | 'copy' | 'delete' | 'share' | 'versions' | 'info';

/** Whether an action applies to a selection (single-item actions, file-only actions). */
export function applies(kind: ActionKind, entries: Entry[]): boolean {
  const one = entries.length === 1;
  const first = entries[0];
  switch (kind) {
    case 'open':
    case 'rename':
    case 'share':
    case 'info':
      return one;
    case 'preview':
    case 'versions':
      return one && first?.kind === 'file';
    default:
      return entries.length > 0;
  }
}
