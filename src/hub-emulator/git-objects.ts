import { createHash } from 'node:crypto';
import { parentOf, baseName, type FileTable } from './file-table.js';

/** The id git gives an object: SHA-1 of "<type> <length>\0" and the content. */
function gitObjectId(type: 'blob' | 'tree' | 'commit', content: Buffer): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}

export function gitBlobOid(content: Buffer): string {
  return gitObjectId('blob', content);
}

/** The Git LFS pointer file that stands in the repo for a large file. */
export function lfsPointer(sha256: string, size: number): Buffer {
  return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`);
}

interface TreeChild {
  name: string;
  folder: boolean;
  oid: string;
}

/** Git's order inside a tree: by name bytes, a folder compared as if its name ended with "/". */
function compareTreeChildren(a: TreeChild, b: TreeChild): number {
  return Buffer.compare(
    Buffer.from(a.folder ? `${a.name}/` : a.name),
    Buffer.from(b.folder ? `${b.name}/` : b.name),
  );
}

/** The git tree id of every folder of the table ('' is the root), as git would compute them. */
export function gitTreeOids(table: FileTable): Map<string, string> {
  const files = new Map<string, TreeChild[]>([['', []]]);
  const subfolders = new Map<string, Set<string>>([['', new Set()]]);
  for (const [path, entry] of table) {
    const dir = parentOf(path);
    if (!files.has(dir)) files.set(dir, []);
    files.get(dir)!.push({ name: baseName(path), folder: false, oid: entry.oid });
    for (let child = dir; child !== ''; child = parentOf(child)) {
      const parent = parentOf(child);
      if (!subfolders.has(child)) subfolders.set(child, new Set());
      if (!subfolders.has(parent)) subfolders.set(parent, new Set());
      subfolders.get(parent)!.add(child);
    }
  }
  const depth = (dir: string) => (dir === '' ? 0 : dir.split('/').length);
  const deepestFirst = [...subfolders.keys()].sort((a, b) => depth(b) - depth(a));
  const oids = new Map<string, string>();
  for (const dir of deepestFirst) {
    const children: TreeChild[] = [...(files.get(dir) ?? [])];
    for (const sub of subfolders.get(dir)!)
      children.push({ name: baseName(sub), folder: true, oid: oids.get(sub)! });
    children.sort(compareTreeChildren);
    const content = Buffer.concat(
      children.flatMap((c) => [
        Buffer.from(`${c.folder ? '40000' : '100644'} ${c.name}\0`),
        Buffer.from(c.oid, 'hex'),
      ]),
    );
    oids.set(dir, gitObjectId('tree', content));
  }
  return oids;
}

export interface CommitObject {
  tree: string;
  parent: string | null;
  author: string;
  /** Milliseconds since the epoch; git keeps seconds. */
  date: number;
  message: string;
}

/** The git commit id of a commit object. */
export function gitCommitOid(commit: CommitObject): string {
  const who = `${commit.author} <${commit.author}@users.noreply.huggingface.co> ${Math.floor(commit.date / 1000)} +0000`;
  const lines = [`tree ${commit.tree}`];
  if (commit.parent) lines.push(`parent ${commit.parent}`);
  lines.push(`author ${who}`, `committer ${who}`, '', commit.message);
  return gitObjectId('commit', Buffer.from(`${lines.join('\n')}\n`));
}
