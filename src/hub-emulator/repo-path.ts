/**
 * The Hub's rule for repo names: letters, digits, `-`, `_`, `.`; no `--` or `..`; `-` and `.` neither
 * start nor end it; at most 96 characters. Namespaces follow the same rule here.
 */
export function isValidRepoPart(part: string): boolean {
  return (
    part.length > 0 &&
    part.length <= 96 &&
    /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(part) &&
    !/[.-]$/.test(part) &&
    !part.includes('--') &&
    !part.includes('..')
  );
}

export function isValidRepoName(name: string): boolean {
  const parts = name.split('/');
  return parts.length === 2 && parts.every(isValidRepoPart);
}

/** Why a path cannot name a file in a repo, or null when it can. */
export function filePathProblem(path: string): string | null {
  if (path.length === 0) return 'the path is empty';
  if (Buffer.byteLength(path) > 4096) return 'the path is longer than 4096 bytes';
  if (path.startsWith('/') || path.endsWith('/')) return 'the path starts or ends with "/"';
  if (/[\0\\]/.test(path)) return 'the path contains a NUL or a backslash';
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    return 'the path has an empty, "." or ".." segment';
  }
  if (segments[0] === '.git') return 'paths under .git/ are not allowed';
  return null;
}
