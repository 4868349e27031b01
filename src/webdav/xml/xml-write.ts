import type { XmlElement, XmlNode } from './xml-parse.js';

export const DAV_NS = 'DAV:';
export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** Character data: the three characters that could end it or start markup. */
export function escapeText(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const replacement =
      c === 38 ? '&amp;' : c === 60 ? '&lt;' : c === 62 ? '&gt;' : c === 13 ? '&#13;' : null;
    if (replacement === null) continue;
    out += text.slice(from, i) + replacement;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** An attribute value in double quotes; whitespace is escaped so that it survives normalisation. */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

/**
 * An element named by namespace and local name, opened with its own prefix declaration when the
 * namespace is not DAV: (responses never declare a default namespace, so an unprefixed name is in
 * no namespace). Returns the open tag's text up to the name and the name to close it with.
 */
export function qualifiedName(ns: string, name: string, prefix: string): { open: string; close: string } {
  if (ns === DAV_NS) return { open: `D:${name}`, close: `D:${name}` };
  if (ns === '') return { open: name, close: name };
  return { open: `${prefix}:${name} xmlns:${prefix}="${escapeAttribute(ns)}"`, close: `${prefix}:${name}` };
}

/** `<ns:name/>` with its namespace declared, as PROPFIND answers name properties. */
export function emptyElement(ns: string, name: string): string {
  return `<${qualifiedName(ns, name, 'p').open}/>`;
}

/** An element holding an already serialised fragment. */
export function wrapElement(ns: string, name: string, inner: string): string {
  const { open, close } = qualifiedName(ns, name, 'p');
  return inner === '' ? `<${open}/>` : `<${open}>${inner}</${close}>`;
}

/**
 * Serialises parsed nodes back to XML that stands on its own: every namespace an element or
 * attribute uses is declared where it is first needed, so the fragment keeps its meaning wherever
 * it is put (dead property values are stored and answered this way).
 */
export function serializeNodes(nodes: readonly XmlNode[]): string {
  let out = '';
  for (const node of nodes) out += serializeNode(node, null, { next: 0 });
  return out;
}

/** The prefixes an element declared (namespace → prefix), linked to its parent's: never copied. */
interface Declared {
  prefixes: Map<string, string>;
  parent: Declared | null;
}

function prefixIn(scope: Declared | null, ns: string): string | undefined {
  for (let at = scope; at; at = at.parent) {
    const prefix = at.prefixes.get(ns);
    if (prefix !== undefined) return prefix;
  }
  return undefined;
}

function serializeNode(node: XmlNode, inherited: Declared | null, counter: { next: number }): string {
  if (typeof node === 'string') return escapeText(node);
  const scope: Declared = { prefixes: new Map(), parent: inherited };
  const declarations: string[] = [];
  const prefixFor = (ns: string): string => {
    let prefix = prefixIn(scope, ns);
    if (prefix === undefined) {
      prefix = `n${counter.next++}`;
      scope.prefixes.set(ns, prefix);
      declarations.push(` xmlns:${prefix}="${escapeAttribute(ns)}"`);
    }
    return prefix;
  };
  const tag = node.ns === '' ? node.name : `${prefixFor(node.ns)}:${node.name}`;
  const attrs = node.attrs.map((a) => {
    const name = a.ns === '' ? a.name : a.ns === XML_NS ? `xml:${a.name}` : `${prefixFor(a.ns)}:${a.name}`;
    return ` ${name}="${escapeAttribute(a.value)}"`;
  });
  const head = `<${tag}${declarations.join('')}${attrs.join('')}`;
  if (node.children.length === 0) return `${head}/>`;
  const inside = scope.prefixes.size > 0 ? scope : inherited;
  let inner = '';
  for (const child of node.children) inner += serializeNode(child, inside, counter);
  return `${head}>${inner}</${tag}>`;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export function isDavElement(element: XmlElement, name: string): boolean {
  return element.ns === DAV_NS && element.name === name;
}
