import { Overlay, Stack, Text } from '@mantine/core';
import { UploadCloud } from 'lucide-react';
import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { joinPath } from '../ui/paths';
import { filesOfDrop } from './drop-entries';
import { useUploads } from './UploadProvider';

/** Files and whole folders dropped anywhere on the browser go to the folder shown. */
export function DropZone({ folder, children }: { folder: string; children: ReactNode }) {
  const { t } = useTranslation('upload');
  const uploads = useUploads();
  const [over, setOver] = useState(false);
  const depth = useRef(0);

  const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer.types).includes('Files');

  const drop = async (event: DragEvent) => {
    event.preventDefault();
    depth.current = 0;
    setOver(false);
    const { files, emptyFolders } = await filesOfDrop(event.dataTransfer);
    for (const dir of emptyFolders) {
      await api('/fs/mkdir', {
        body: { path: dir.split('/').reduce(joinPath, folder), parents: true },
      }).catch(() => undefined);
    }
    uploads.add(files, folder);
  };

  return (
    <div
      style={{ position: 'relative', flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}
      onDragEnter={(event) => {
        if (!hasFiles(event)) return;
        depth.current += 1;
        setOver(true);
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDragOver={(event) => {
        if (hasFiles(event)) event.preventDefault();
      }}
      onDrop={(event) => void drop(event)}
      data-testid="drop-zone"
    >
      {children}
      {over && (
        <Overlay color="var(--mantine-color-body)" backgroundOpacity={0.85} blur={2} zIndex={150}>
          <Stack
            align="center"
            justify="center"
            h="100%"
            style={{ border: '3px dashed var(--mantine-primary-color-filled)', borderRadius: 12 }}
          >
            <UploadCloud size={56} color="var(--mantine-primary-color-filled)" />
            <Text size="lg" fw={600}>
              {t('dropHere')}
            </Text>
          </Stack>
        </Overlay>
      )}
    </div>
  );
}
