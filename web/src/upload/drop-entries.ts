import type { NewUpload } from './upload-queue';

/** What a drop holds: every file with its path below the drop, and folders that hold no file. */
export async function filesOfDrop(
  data: DataTransfer,
): Promise<{ files: NewUpload[]; emptyFolders: string[] }> {
  const files: NewUpload[] = [];
  const emptyFolders: string[] = [];
  // Entries must be taken synchronously, before the event handler returns.
  const roots = Array.from(data.items)
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry());
  if (roots.every((root) => root === null)) {
    return { files: Array.from(data.files).map((file) => ({ file, relativePath: file.name })), emptyFolders };
  }
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) =>
        (entry as FileSystemFileEntry).file(resolve, reject),
      );
      files.push({ file, relativePath: path });
      return;
    }
    const children = await readAll((entry as FileSystemDirectoryEntry).createReader());
    if (children.length === 0) emptyFolders.push(path);
    for (const child of children) await walk(child, path);
  };
  for (const root of roots) if (root) await walk(root, '');
  return { files, emptyFolders };
}

/** readEntries answers in batches (100 in Chrome) until an empty one. */
async function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}
