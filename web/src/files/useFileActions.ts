import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { contentUrl } from '../api/client';
import type { Entry } from '../api/types';
import { notifyError } from '../ui/errors';
import { applies, type ActionKind } from './actions';
import type { DialogState } from './FileDialogs';
import { archiveUrl } from './operations';

export interface FileActionDeps {
  open(entry: Entry): void;
  setDialog(state: DialogState): void;
  setShare(entry: Entry): void;
  setVersions(entry: Entry): void;
  setInfo(entry: Entry): void;
  setPreview(entry: Entry): void;
}

/** Starts a download without leaving the page (the answer is an attachment). */
export function download(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.rel = 'noopener';
  link.download = '';
  document.body.append(link);
  link.click();
  link.remove();
}

/** Runs a toolbar, menu or shortcut action on the selected entries. */
export function useFileActions(deps: FileActionDeps) {
  const { t } = useTranslation('files');
  const run = useCallback(
    (kind: ActionKind, entries: Entry[]) => {
      if (!applies(kind, entries)) return;
      const first = entries[0]!;
      switch (kind) {
        case 'open':
          deps.open(first);
          break;
        case 'preview':
          deps.setPreview(first);
          break;
        case 'download':
          if (entries.length === 1 && first.kind === 'file')
            download(contentUrl(first.path, { download: true }));
          else
            void archiveUrl(entries.map((e) => e.path)).then(download, (error: unknown) =>
              notifyError(t('downloadFailed'), error),
            );
          break;
        case 'share':
          deps.setShare(first);
          break;
        case 'versions':
          deps.setVersions(first);
          break;
        case 'info':
          deps.setInfo(first);
          break;
        default:
          deps.setDialog({ kind, entries });
      }
    },
    [deps, t],
  );
  return { run };
}
