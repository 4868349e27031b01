import { ActionIcon, Group, Modal, Text, Tooltip } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { ChevronLeft, ChevronRight, Download, ExternalLink, Info } from 'lucide-react';
import { useEffect, useMemo, useRef, type TouchEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContentSource } from '../api/content-source';
import type { Entry } from '../api/types';
import { FileIcon } from '../files/FileIcon';
import { PreviewBody } from './PreviewBody';
import { previewKindOf, type PreviewItem } from './preview-kind';
import { useLastValue } from './use-last-value';

export type { PreviewItem } from './preview-kind';

export interface PreviewModalProps<E extends PreviewItem = Entry> {
  /** The file shown; null: closed. */
  entry: E | null;
  /** The entries of the folder: its files are previous/next (folders are skipped). */
  siblings: E[];
  source: ContentSource;
  // NoInfer: E comes from the entries, so a state setter of a wider type still fits here.
  onNavigate(entry: NoInfer<E>): void;
  onClose(): void;
  /** Shows an info button in the header. */
  onInfo?(entry: NoInfer<E>): void;
}

/** Keys typed here belong to the element (a text field, a playing video seeks with the arrows). */
function ownsArrows(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'VIDEO', 'AUDIO'].includes(target.tagName)
  );
}

/** A large viewer for one file, with previous/next among its folder's files (← →), Esc to close. */
export function PreviewModal<E extends PreviewItem = Entry>({
  entry,
  siblings,
  source,
  onNavigate,
  onClose,
  onInfo,
}: PreviewModalProps<E>) {
  const { t } = useTranslation('preview');
  const phone = useMediaQuery('(max-width: 48em)', false, { getInitialValueInEffect: false });
  const shown = useLastValue(entry);
  const files = useMemo(() => siblings.filter((s) => s.kind === 'file'), [siblings]);
  const index = shown ? files.findIndex((f) => f.path === shown.path) : -1;
  const previous = index > 0 ? files[index - 1] : undefined;
  const next = index >= 0 ? files[index + 1] : undefined;
  const opened = entry !== null;

  useEffect(() => {
    if (!opened) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (ownsArrows(event.target)) return;
      const target = event.key === 'ArrowLeft' ? previous : event.key === 'ArrowRight' ? next : undefined;
      if (!target) return;
      event.preventDefault();
      onNavigate(target);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [opened, previous, next, onNavigate]);

  // A horizontal swipe on a phone goes to the previous or next file.
  const touch = useRef<{ x: number; y: number } | null>(null);
  const swipe = {
    onTouchStart: (event: TouchEvent) => {
      const point = event.touches[0];
      touch.current = event.touches.length === 1 && point ? { x: point.clientX, y: point.clientY } : null;
    },
    onTouchEnd: (event: TouchEvent) => {
      const start = touch.current;
      const point = event.changedTouches[0];
      touch.current = null;
      if (!start || !point) return;
      const dx = point.clientX - start.x;
      if (Math.abs(dx) < 60 || Math.abs(point.clientY - start.y) > 50) return;
      const target = dx > 0 ? previous : next;
      if (target) onNavigate(target);
    },
  };

  const kind = shown ? previewKindOf(shown) : 'none';
  return (
    <Modal.Root
      opened={opened}
      onClose={onClose}
      fullScreen={phone}
      size={1200}
      xOffset="2vw"
      yOffset="3dvh"
      padding={phone ? 'xs' : 'md'}
      styles={{
        content: { display: 'flex', flexDirection: 'column', height: phone ? '100dvh' : '94dvh' },
        body: { flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', overflow: 'hidden' },
      }}
    >
      <Modal.Overlay />
      <Modal.Content data-testid="preview-modal">
        {shown && (
          <>
            <Modal.Header style={{ gap: 8 }}>
              <Group gap={8} wrap="nowrap" style={{ flex: 1, minWidth: 0 }}>
                <FileIcon entry={shown} size={20} />
                <Modal.Title style={{ minWidth: 0, flex: 1 }}>
                  <Text fw={600} truncate="end" title={shown.name}>
                    {shown.name}
                  </Text>
                </Modal.Title>
              </Group>
              <Group gap={4} wrap="nowrap">
                {files.length > 1 && index >= 0 && (
                  <Text size="sm" c="dimmed" visibleFrom="xs" mx={4} style={{ whiteSpace: 'nowrap' }}>
                    {t('position', { index: index + 1, total: files.length })}
                  </Text>
                )}
                {files.length > 1 && (
                  <>
                    <Tooltip label={t('previous')}>
                      <ActionIcon
                        variant="subtle"
                        size="lg"
                        aria-label={t('previous')}
                        disabled={!previous}
                        onClick={() => previous && onNavigate(previous)}
                        data-testid="preview-prev"
                      >
                        <ChevronLeft size={20} />
                      </ActionIcon>
                    </Tooltip>
                    <Tooltip label={t('next')}>
                      <ActionIcon
                        variant="subtle"
                        size="lg"
                        aria-label={t('next')}
                        disabled={!next}
                        onClick={() => next && onNavigate(next)}
                        data-testid="preview-next"
                      >
                        <ChevronRight size={20} />
                      </ActionIcon>
                    </Tooltip>
                  </>
                )}
                {kind === 'pdf' && (
                  <Tooltip label={t('openInNewTab')}>
                    <ActionIcon
                      variant="subtle"
                      size="lg"
                      component="a"
                      href={source.contentUrl(shown.path)}
                      target="_blank"
                      rel="noopener noreferrer"
                      aria-label={t('openInNewTab')}
                    >
                      <ExternalLink size={18} />
                    </ActionIcon>
                  </Tooltip>
                )}
                {onInfo && entry && (
                  <Tooltip label={t('details')}>
                    <ActionIcon
                      variant="subtle"
                      size="lg"
                      aria-label={t('details')}
                      onClick={() => onInfo(entry)}
                    >
                      <Info size={18} />
                    </ActionIcon>
                  </Tooltip>
                )}
                <Tooltip label={t('download')}>
                  <ActionIcon
                    variant="subtle"
                    size="lg"
                    component="a"
                    href={source.contentUrl(shown.path, { download: true })}
                    download={shown.name}
                    aria-label={t('download')}
                    data-testid="preview-download"
                  >
                    <Download size={18} />
                  </ActionIcon>
                </Tooltip>
                <Modal.CloseButton aria-label={t('common:close')} size="lg" />
              </Group>
            </Modal.Header>
            <Modal.Body {...(kind === 'image' || kind === 'svg' ? swipe : {})}>
              <PreviewBody key={`${shown.path}\n${shown.etag ?? ''}`} entry={shown} source={source} />
            </Modal.Body>
          </>
        )}
      </Modal.Content>
    </Modal.Root>
  );
}
