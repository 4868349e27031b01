/**
 * The `.gitattributes` a new dataset repo starts with: common binary formats go to LFS. The Hub
 * creates one like it in every new repo; this list is the emulator's own, not a copy of the Hub's.
 */
const LFS_PATTERNS = [
  '*.7z',
  '*.arrow',
  '*.avro',
  '*.bin',
  '*.bz2',
  '*.ckpt',
  '*.db',
  '*.flac',
  '*.gif',
  '*.gz',
  '*.h5',
  '*.jpeg',
  '*.jpg',
  '*.joblib',
  '*.lfs.*',
  '*.lz4',
  '*.mp3',
  '*.mp4',
  '*.msgpack',
  '*.npy',
  '*.npz',
  '*.ogg',
  '*.onnx',
  '*.parquet',
  '*.pb',
  '*.pickle',
  '*.pkl',
  '*.png',
  '*.pt',
  '*.pth',
  '*.rar',
  '*.safetensors',
  '*.tar',
  '*.tar.*',
  '*.tflite',
  '*.tgz',
  '*.wasm',
  '*.wav',
  '*.webm',
  '*.webp',
  '*.xz',
  '*.zip',
  '*.zst',
  '*tfevents*',
  'saved_model/**/*',
];

export const DEFAULT_GITATTRIBUTES = LFS_PATTERNS.map(
  (p) => `${p} filter=lfs diff=lfs merge=lfs -text\n`,
).join('');

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (glob.startsWith('**/', i)) {
      // Any number of folders, none included.
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (c === '*') {
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else {
      source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/**
 * Which paths a `.gitattributes` sends to LFS (`filter=lfs`). Covers what repos use: globs with
 * `*`, `**` and `?`; a pattern without a slash matches the file name in any folder.
 */
export function lfsMatcher(gitattributes: string): (path: string) => boolean {
  const rules: { regexp: RegExp; onName: boolean }[] = [];
  for (const line of gitattributes.split('\n')) {
    const [pattern, ...attributes] = line.trim().split(/\s+/);
    if (!pattern || pattern.startsWith('#') || !attributes.includes('filter=lfs')) continue;
    const anchored = pattern.replace(/^\//, '');
    rules.push({ regexp: globToRegExp(anchored), onName: !pattern.includes('/') });
  }
  return (path) => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    return rules.some((r) => r.regexp.test(r.onName ? name : path));
  };
}
