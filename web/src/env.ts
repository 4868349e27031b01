/** BASE_PATH as the server injected it into index.html ('' at the root). */
export const basePath: string =
  document.querySelector<HTMLMetaElement>('meta[name="hubdrive-base-path"]')?.content.replace(/\/+$/, '') ??
  '';

/** An absolute URL path under BASE_PATH/api. */
export function apiUrl(path: string): string {
  return `${basePath}/api${path}`;
}
