import type { Entry } from '../api/types';
import { extensionOf } from '../ui/paths';

/** What a file is, by its extension: decides its icon and how it is previewed. */
export type FileKind =
  | 'folder'
  | 'image'
  | 'video'
  | 'audio'
  | 'pdf'
  | 'markdown'
  | 'code'
  | 'text'
  | 'archive'
  | 'sheet'
  | 'other';

const BY_EXTENSION: Record<string, FileKind> = {};
const add = (kind: FileKind, list: string) => {
  for (const ext of list.split(' ')) BY_EXTENSION[ext] = kind;
};
add('image', 'jpg jpeg png gif webp avif bmp svg ico tif tiff heic');
add('video', 'mp4 m4v webm mov mkv ogv avi');
add('audio', 'mp3 m4a aac ogg oga opus wav flac weba');
add('pdf', 'pdf');
add('markdown', 'md markdown');
add(
  'code',
  'js mjs cjs ts tsx jsx json yaml yml toml xml html htm css scss py rb go rs java kt c h cpp hpp cs php sh bash zsh sql lua swift dart vue svelte ini conf dockerfile',
);
add('text', 'txt log csv tsv srt vtt nfo');
add('archive', 'zip rar 7z tar gz tgz bz2 xz zst');
add('sheet', 'xls xlsx ods');

export function kindOf(extension: string): FileKind {
  return BY_EXTENSION[extension] ?? 'other';
}

/** The kind of a file or folder: a folder is 'folder', a file goes by its extension. */
export function entryKind(entry: Pick<Entry, 'name' | 'kind'>): FileKind {
  return entry.kind === 'dir' ? 'folder' : kindOf(extensionOf(entry.name));
}
