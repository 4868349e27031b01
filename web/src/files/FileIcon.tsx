import {
  File,
  FileArchive,
  FileAudio,
  FileCode,
  FileImage,
  FileSpreadsheet,
  FileText,
  FileVideo,
  Folder,
  type LucideIcon,
} from 'lucide-react';
import type { Entry } from '../api/types';
import { entryKind, type FileKind } from './file-kinds';

const ICONS: Record<FileKind, { icon: LucideIcon; color: string }> = {
  folder: { icon: Folder, color: 'var(--mantine-color-yellow-6)' },
  image: { icon: FileImage, color: 'var(--mantine-color-grape-6)' },
  video: { icon: FileVideo, color: 'var(--mantine-color-red-6)' },
  audio: { icon: FileAudio, color: 'var(--mantine-color-pink-6)' },
  pdf: { icon: FileText, color: 'var(--mantine-color-red-7)' },
  markdown: { icon: FileText, color: 'var(--mantine-color-blue-6)' },
  code: { icon: FileCode, color: 'var(--mantine-color-teal-6)' },
  text: { icon: FileText, color: 'var(--mantine-color-gray-6)' },
  archive: { icon: FileArchive, color: 'var(--mantine-color-orange-6)' },
  sheet: { icon: FileSpreadsheet, color: 'var(--mantine-color-green-7)' },
  other: { icon: File, color: 'var(--mantine-color-gray-6)' },
};

export function FileIcon({ entry, size = 20 }: { entry: Pick<Entry, 'name' | 'kind'>; size?: number }) {
  const { icon: Icon, color } = ICONS[entryKind(entry)];
  return <Icon size={size} color={color} aria-hidden style={{ flex: 'none' }} />;
}
