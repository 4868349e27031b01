import { useTranslation } from 'react-i18next';
import type { Entry } from '../api/types';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { notifyDone, notifyError } from '../ui/errors';
import { parentOf } from '../ui/paths';
import { FolderPicker } from './FolderPicker';
import { NameDialog } from './NameDialog';
import { copyInto, eachInTurn, makeFolder, moveInto, rename, trash } from './operations';

export interface DialogState {
  kind: 'mkdir' | 'rename' | 'move' | 'copy' | 'delete';
  entries: Entry[];
}

export interface FileDialogsProps {
  folder: string;
  state: DialogState | null;
  onClose(): void;
  /** After any change: listings and usage are fetched again. */
  onDone(): void;
}

/** New folder, rename, move, copy and delete: each asks, calls the API, then refreshes. */
export function FileDialogs({ folder, state, onClose, onDone }: FileDialogsProps) {
  const { t } = useTranslation('files');
  const kind = state?.kind;
  const entries = state?.entries ?? [];
  const first = entries[0];
  const finish = () => onDone();

  const transfer = async (target: string, copy: boolean) => {
    try {
      const count = await eachInTurn(entries, (e) => (copy ? copyInto(e, target) : moveInto(e, target)));
      notifyDone(t(copy ? 'copied' : 'moved', { count }));
    } catch (error) {
      notifyError(t(copy ? 'copyFailed' : 'moveFailed'), error);
    } finally {
      finish();
    }
  };

  return (
    <>
      <NameDialog
        opened={kind === 'mkdir'}
        title={t('newFolder')}
        initial={t('newFolderName')}
        submitLabel={t('create')}
        onClose={onClose}
        onSubmit={async (name) => {
          await makeFolder(folder, name);
          finish();
        }}
      />
      <NameDialog
        opened={kind === 'rename' && first !== undefined}
        title={t('rename')}
        initial={first?.name ?? ''}
        submitLabel={t('rename')}
        onClose={onClose}
        onSubmit={async (name) => {
          if (first && name !== first.name) await rename(first, parentOf(first.path), name);
          finish();
        }}
      />
      <FolderPicker
        opened={kind === 'move' || kind === 'copy'}
        title={t(kind === 'copy' ? 'copyTo' : 'moveTo', { count: entries.length })}
        submitLabel={t(kind === 'copy' ? 'copyHere' : 'moveHere')}
        start={folder}
        // A folder cannot go into itself, moved or copied; and a move to where things already are does nothing.
        excluded={entries.filter((e) => e.kind === 'dir').map((e) => e.path)}
        unchanged={kind === 'move' && entries.every((e) => parentOf(e.path) === folder) ? folder : null}
        onClose={onClose}
        onSubmit={(target) => transfer(target, kind === 'copy')}
      />
      <ConfirmDialog
        opened={kind === 'delete'}
        title={t('deleteTitle', { count: entries.length })}
        message={
          entries.length === 1
            ? t('deleteOne', { name: first?.name ?? '' })
            : t('deleteMany', { count: entries.length })
        }
        confirmLabel={t('moveToTrash')}
        danger
        onClose={onClose}
        onConfirm={async () => {
          try {
            const count = await eachInTurn(entries, trash);
            notifyDone(t('trashed', { count }));
          } catch (error) {
            notifyError(t('deleteFailed'), error);
          } finally {
            finish();
          }
        }}
      />
    </>
  );
}
