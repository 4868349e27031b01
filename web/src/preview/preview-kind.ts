import { kindOf } from '../files/file-kinds';
import { extensionOf } from '../ui/paths';

/** How the preview shows a file. SVG is its own kind: the server sends it as text, never as an image. */
export type PreviewKind = 'image' | 'svg' | 'video' | 'audio' | 'pdf' | 'markdown' | 'text' | 'none';

/** What a preview needs to know of a file (an Entry, or an entry of a shared folder). */
export interface PreviewItem {
  name: string;
  path: string;
  kind: 'dir' | 'file';
  size: number;
  modifiedAt?: number;
  etag?: string | null;
}

export function previewKindOf(item: Pick<PreviewItem, 'name' | 'kind'>): PreviewKind {
  if (item.kind === 'dir') return 'none';
  const extension = extensionOf(item.name);
  if (extension === 'svg') return 'svg';
  switch (kindOf(extension)) {
    case 'image':
      return 'image';
    case 'video':
      return 'video';
    case 'audio':
      return 'audio';
    case 'pdf':
      return 'pdf';
    case 'markdown':
      return 'markdown';
    case 'code':
    case 'text':
      return 'text';
    default:
      return 'none';
  }
}
