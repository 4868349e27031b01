import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { useSession } from '../auth/session';
import { listKey } from '../files/useFolder';
import { parentOf } from '../ui/paths';
import { UploadQueue } from './upload-queue';

const UploadContext = createContext<UploadQueue | null>(null);

/** One upload queue for the whole page, so uploads go on while the user browses elsewhere. */
export function UploadProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const { user } = useSession();
  const userId = useRef<number | null>(null);
  userId.current = user?.id ?? null;
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const queue = useMemo(
    () =>
      new UploadQueue(
        () => userId.current,
        (path) => {
          // Finished files arrive in bursts (a folder); refresh the listings once per burst.
          void client.resetQueries({ queryKey: listKey(parentOf(path)) });
          if (refreshTimer.current) clearTimeout(refreshTimer.current);
          refreshTimer.current = setTimeout(() => {
            void client.resetQueries({ queryKey: ['list'] });
            void client.invalidateQueries({ queryKey: ['session'] });
            void client.invalidateQueries({ queryKey: ['uploads'] });
          }, 800);
        },
        () => void client.invalidateQueries({ queryKey: ['uploads'] }),
      ),
    [client],
  );

  useEffect(() => {
    // A file dropped anywhere but on the file list would make the browser open it, leaving the app.
    const guard = (event: DragEvent) => {
      if (event.dataTransfer && Array.from(event.dataTransfer.types).includes('Files'))
        event.preventDefault();
    };
    window.addEventListener('dragover', guard);
    window.addEventListener('drop', guard);
    return () => {
      window.removeEventListener('dragover', guard);
      window.removeEventListener('drop', guard);
    };
  }, []);

  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (queue.active()) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [queue]);

  return <UploadContext.Provider value={queue}>{children}</UploadContext.Provider>;
}

export function useUploads(): UploadQueue {
  const queue = useContext(UploadContext);
  if (!queue) throw new Error('useUploads outside UploadProvider');
  return queue;
}
