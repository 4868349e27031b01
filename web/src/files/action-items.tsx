import {
  Copy,
  Download,
  Eye,
  FolderInput,
  FolderOpen,
  History,
  Info,
  Pencil,
  Share2,
  Trash2,
  type LucideIcon,
} from 'lucide-react';
import type { ActionKind } from './actions';

/** Icon and label key of each action, in menu order. */
export const ACTION_ITEMS: { kind: ActionKind; icon: LucideIcon; label: string; danger?: boolean }[] = [
  { kind: 'open', icon: FolderOpen, label: 'open' },
  { kind: 'preview', icon: Eye, label: 'preview' },
  { kind: 'download', icon: Download, label: 'download' },
  { kind: 'share', icon: Share2, label: 'share' },
  { kind: 'rename', icon: Pencil, label: 'rename' },
  { kind: 'move', icon: FolderInput, label: 'move' },
  { kind: 'copy', icon: Copy, label: 'copy' },
  { kind: 'versions', icon: History, label: 'versions' },
  { kind: 'info', icon: Info, label: 'info' },
  { kind: 'delete', icon: Trash2, label: 'delete', danger: true },
];
