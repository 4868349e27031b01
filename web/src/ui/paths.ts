/** Drive paths ("/Photos/a.jpg") and the browser routes that show them ("/files/Photos/a.jpg"). */

export function joinPath(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}

export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function segments(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** The route of a folder; each segment is URI-encoded so any name survives the address bar. */
export function folderRoute(path: string): string {
  const parts = segments(path).map(encodeURIComponent);
  return parts.length === 0 ? '/files' : `/files/${parts.join('/')}`;
}

/** The drive path of a /files/* route's splat (React Router hands it decoded). */
export function pathOfSplat(splat: string | undefined): string {
  const parts = segments(splat ?? '');
  return parts.length === 0 ? '/' : `/${parts.join('/')}`;
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}
