import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface WebUiOptions {
  basePath: string;
  /** The built UI (index.html and assets/); by default dist/web of the package. */
  dir?: string;
  logger: FastifyBaseLogger;
}

/**
 * The UI's own policy: code and styles only from this origin (Vite's build has no inline script),
 * inline styles allowed (the component library sets them), previews from blob: and data: URLs.
 */
export const WEB_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** First path segments under BASE_PATH that belong to the server, never to the UI's router. */
const SERVER_SEGMENTS = new Set(['api', 'dav', 'healthz', 'assets']);

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hubdrive</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>hubdrive</h1>
<p>The drive is running, but its web interface is not built: run <code>npm run build</code>.
The JSON API is under <code>api/</code> and WebDAV under <code>dav/</code>; see the README.</p>
</body></html>
`;

/** The folder holding package.json: the same from src/ (tsx) and from dist/ (built). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the server module');
    dir = parent;
  }
}

export function defaultWebDir(): string {
  return path.join(packageRoot(), 'dist', 'web');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Makes the built index.html work at any depth below BASE_PATH: a <base> first in <head>, so that
 * Vite's relative asset URLs resolve from BASE_PATH/ on deep links, and the base path for the UI's
 * router and API calls.
 */
export function injectBasePath(html: string, basePath: string): string {
  const base = escapeHtml(basePath);
  const tags = `<base href="${base}/"><meta name="hubdrive-base-path" content="${base}">`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (!head) return tags + html;
  const at = head.index + head[0].length;
  return html.slice(0, at) + tags + html.slice(at);
}

/** Script elements with content (no src): the CSP above blocks them, so the UI would not start. */
export function hasInlineScript(html: string): boolean {
  const scripts = html.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? [];
  return scripts.some((tag) => {
    const open = tag.slice(0, tag.indexOf('>') + 1);
    const body = tag.slice(open.length, -'</script>'.length);
    return (
      !/\ssrc\s*=/i.test(open) &&
      !/type\s*=\s*["']?application\/(ld\+)?json/i.test(open) &&
      body.trim() !== ''
    );
  });
}

interface BuiltUi {
  dir: string;
  index: string;
  /** Files at the top of the build (favicon, manifest…), served as themselves. */
  topFiles: Set<string>;
  hasAssets: boolean;
}

function loadBuild(dir: string, basePath: string, logger: FastifyBaseLogger): BuiltUi | null {
  const indexFile = path.join(dir, 'index.html');
  if (!existsSync(indexFile)) {
    logger.warn({ dir }, 'the web UI is not built; serving a placeholder page');
    return null;
  }
  const raw = readFileSync(indexFile, 'utf8');
  if (hasInlineScript(raw)) {
    logger.warn('the web UI has an inline script, which its Content-Security-Policy blocks');
  }
  const topFiles = new Set(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== 'index.html' && !e.name.startsWith('.'))
      .filter((e) => !SERVER_SEGMENTS.has(e.name))
      .map((e) => e.name),
  );
  const assets = path.join(dir, 'assets');
  return {
    dir,
    index: injectBasePath(raw, basePath),
    topFiles,
    hasAssets: existsSync(assets) && statSync(assets).isDirectory(),
  };
}

/**
 * The web UI under BASE_PATH: hashed assets with a year's immutable caching, files at the top of the
 * build, and index.html (never cached, with the base path injected and a strict CSP) for every
 * other GET, so that the UI's router owns its URLs. Server paths (api/, dav/, healthz, assets/)
 * never fall back to the UI: an unknown one stays a 404. index.html is read once, at start-up.
 */
export async function registerWebUi(app: FastifyInstance, options: WebUiOptions): Promise<void> {
  const base = options.basePath;
  const ui = loadBuild(options.dir ?? defaultWebDir(), base, options.logger);

  const sendIndex = (reply: FastifyReply) =>
    reply
      .code(200)
      .header('cache-control', 'no-store')
      .header('content-security-policy', WEB_UI_CSP)
      .type('text/html; charset=utf-8')
      .send(ui ? ui.index : NOT_BUILT);

  await app.register(async (scope) => {
    if (ui) {
      // The hook's no-store is replaced by send's header for these (the names carry a content hash).
      await scope.register(fastifyStatic, {
        root: ui.hasAssets ? path.join(ui.dir, 'assets') : ui.dir,
        serve: ui.hasAssets,
        prefix: `${base}/assets/`,
        decorateReply: true,
        wildcard: true,
        index: false,
        dotfiles: 'deny',
        // Folders are not listed, nor answered with send's 403: a plain 404.
        allowedPath: (pathName: string) => !pathName.endsWith('/'),
        maxAge: '365d',
        immutable: true,
      });
    }

    scope.get(base === '' ? '/' : `${base}/`, async (_request, reply) => sendIndex(reply));

    scope.get(`${base}/*`, async (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
      const rest = request.params['*'] ?? '';
      const segments = rest.split('/');
      // No UI route has empty, "." or ".." segments: such a path ("//dav/../x") is nobody's.
      const odd = segments.some((s, i) => s === '.' || s === '..' || (s === '' && i < segments.length - 1));
      if (odd || SERVER_SEGMENTS.has(segments[0]!)) return reply.callNotFound();
      if (ui && ui.topFiles.has(rest)) {
        return reply.sendFile(rest, ui.dir, { maxAge: 0, immutable: false });
      }
      return sendIndex(reply);
    });
  });
}
