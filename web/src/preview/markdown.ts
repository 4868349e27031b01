import DOMPurify from 'dompurify';
import { marked } from 'marked';

// An instance of its own, so these hooks touch nothing else that sanitizes.
const purify = DOMPurify(window);
let resolveImage: ((src: string) => string | null) | null = null;

purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    const href = node.getAttribute('href') ?? '';
    if (href && !href.startsWith('#')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  } else if (node.tagName === 'IMG' && resolveImage) {
    const src = node.getAttribute('src');
    if (src && isRelative(src)) {
      const resolved = resolveImage(src);
      if (resolved) node.setAttribute('src', resolved);
      else node.removeAttribute('src');
    }
  }
});

function isRelative(url: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('/') && !url.startsWith('#');
}

/** Resolves a relative link ("img/a.png", "../b.png") against a folder; null when it climbs above the root. */
export function resolveRelative(folder: string, url: string): string | null {
  const clean = url.replace(/[?#].*$/, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(clean);
  } catch {
    return null;
  }
  const parts = folder.split('/').filter(Boolean);
  for (const part of decoded.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/**
 * Markdown to sanitized HTML. Relative images are fetched through `imageUrl` (files beside the
 * document); links open in a new tab.
 */
export function renderMarkdown(source: string, imageUrl?: (src: string) => string | null): string {
  const html = marked.parse(source, { async: false, gfm: true });
  resolveImage = imageUrl ?? null;
  try {
    // Styles and forms are refused too: a shared document must not restyle the page around it or
    // draw a look-alike sign-in form over it (scripts are gone already, and blocked by the CSP).
    return purify.sanitize(html, {
      USE_PROFILES: { html: true },
      FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option'],
      FORBID_ATTR: ['style', 'class', 'id'],
    });
  } finally {
    resolveImage = null;
  }
}
