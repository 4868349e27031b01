/**
 * Whether a request URL lies under BASE_PATH, judged the way the router sees it: the path of an
 * absolute-form target, with percent-escapes decoded (`/%78mj/api` is `/xmj/api`). Security
 * decisions (ALLOW_IPS) and the decoy's disguise both hang on this, so it must not be fooled by
 * spelling.
 */
export function underBasePath(base: string): (url: string) => boolean {
  if (base === '') return () => true;
  return (url) => {
    const path = pathOf(url);
    return path === base || path.startsWith(`${base}/`);
  };
}

function pathOf(url: string): string {
  let path = url;
  if (!path.startsWith('/')) {
    try {
      path = new URL(path).pathname;
    } catch {
      return path;
    }
  }
  const query = path.indexOf('?');
  if (query >= 0) path = path.slice(0, query);
  try {
    return decodeURIComponent(path);
  } catch {
    // The router cannot decode it either, so it reaches no route: judge it as written.
    return path;
  }
}
