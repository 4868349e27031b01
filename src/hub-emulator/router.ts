import type { Handler } from './context.js';
import { badRequest } from './hub-error.js';

export interface Route {
  methods: readonly string[];
  pattern: RegExp;
  handler: Handler;
  /** The URL carries its own signature: the Authorization header is ignored, as S3 and CDNs do. */
  signed?: boolean;
}

/**
 * A repo id in a path: `ns/name`, or `ns%2Fname` as huggingface_hub quotes it.
 * Lazy, so that `ns/name.git/…` leaves `.git` to the pattern.
 */
export const REPO = '([^/]+(?:/|%2[Ff])[^/]+?)';

export type RouteMatch = { route: Route; params: string[] } | { route: null; pathKnown: boolean };

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw badRequest(`Malformed percent-encoding in the URL: ${text}`);
  }
}

/** The route for a method and a raw (still percent-encoded) path. */
export function matchRoute(routes: readonly Route[], method: string, rawPath: string): RouteMatch {
  let pathKnown = false;
  for (const route of routes) {
    const match = route.pattern.exec(rawPath);
    if (!match) continue;
    pathKnown = true;
    if (!route.methods.includes(method)) continue;
    return { route, params: match.slice(1).map((p) => (p === undefined ? '' : decode(p))) };
  }
  return { route: null, pathKnown };
}
