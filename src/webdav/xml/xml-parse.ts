import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { BadRequestError } from '../../errors/domain-error.js';

/** An element with its namespace resolved: `ns` is a URI ('' for none), `name` the local name. */
export interface XmlElement {
  ns: string;
  name: string;
  /** Attributes other than namespace declarations, with prefixed names resolved too. */
  attrs: XmlAttribute[];
  children: XmlNode[];
}

export interface XmlAttribute {
  ns: string;
  name: string;
  value: string;
}

/** Character data is a plain string; comments and processing instructions are dropped. */
export type XmlNode = XmlElement | string;

export class XmlSyntaxError extends BadRequestError {
  constructor(detail: string) {
    super(`the XML body is not valid: ${detail}`, 'BAD_XML');
  }
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes the five predefined entities and character references, and refuses everything else: a
 * DOCTYPE (internal entities are how "billion laughs" bodies expand) or an unknown entity.
 */
class StrictEntityDecoder implements EntityDecoderOptions {
  problem: string | null = null;

  setExternalEntities(): void {}
  reset(): void {}
  setXmlVersion(): void {}

  addInputEntities(): void {
    this.problem = 'a DOCTYPE is not allowed';
    throw new XmlSyntaxError(this.problem);
  }

  decode(text: string): string {
    let at = text.indexOf('&');
    if (at < 0) return text;
    let out = '';
    let from = 0;
    while (at >= 0) {
      const end = text.indexOf(';', at);
      if (end < 0) return this.fail('an "&" that starts no entity');
      out += text.slice(from, at) + this.entity(text.slice(at + 1, end));
      from = end + 1;
      at = text.indexOf('&', from);
    }
    return out + text.slice(from);
  }

  private entity(name: string): string {
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    if (name.startsWith('#')) {
      const hex = name[1] === 'x';
      const digits = name.slice(hex ? 2 : 1);
      const valid = hex ? /^[0-9a-fA-F]{1,6}$/.test(digits) : /^[0-9]{1,7}$/.test(digits);
      const code = valid ? Number.parseInt(digits, hex ? 16 : 10) : NaN;
      if (isXmlChar(code)) return String.fromCodePoint(code);
      return this.fail(`&${name}; is not a valid character reference`);
    }
    return this.fail(`unknown entity &${name};`);
  }

  private fail(problem: string): never {
    this.problem = problem;
    throw new XmlSyntaxError(problem);
  }
}

/** Anything outside the Char production of XML 1.0 (lone surrogates included). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The Char production of XML 1.0. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

type OrderedNode = Record<string, unknown>;

/**
 * Parses an XML document into namespaced elements. Throws XmlSyntaxError (400) on anything not
 * well-formed: broken syntax, several roots, an undeclared prefix, a DOCTYPE, an unknown entity.
 */
export function parseXml(text: string): XmlElement {
  // The parser lets them through, and a stored property holding one would make every listing that
  // shows it unreadable to clients.
  if (NOT_XML_CHAR.test(text)) throw new XmlSyntaxError('the body holds a character that XML does not allow');
  const checked = XMLValidator.validate(text);
  if (checked !== true) {
    throw new XmlSyntaxError(`${checked.err.msg} (line ${checked.err.line})`);
  }
  const decoder = new StrictEntityDecoder();
  let ordered: OrderedNode[];
  try {
    const parser = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      cdataPropName: '#cdata',
      processEntities: true,
      entityDecoder: decoder,
      maxNestedTags: 64,
    });
    ordered = parser.parse(text) as OrderedNode[];
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw error;
    throw new XmlSyntaxError(decoder.problem ?? 'the document could not be read');
  }
  const roots: XmlElement[] = [];
  const top: Scope = { declared: new Map([['xml', XML_NS]]), parent: null };
  for (const node of ordered) {
    const converted = convert(node, top);
    if (typeof converted === 'string') {
      if (converted.trim() !== '') throw new XmlSyntaxError('text outside the root element');
    } else if (converted) {
      roots.push(converted);
    }
  }
  if (roots.length !== 1) throw new XmlSyntaxError('expected exactly one root element');
  return roots[0]!;
}

/**
 * The prefixes declared on one element, linked to its parent's. Nothing is copied per element (a
 * body declaring thousands of prefixes over thousands of children would otherwise cost their product);
 * a lookup walks at most the nesting depth, which the parser caps.
 */
interface Scope {
  declared: Map<string, string>;
  parent: Scope | null;
}

function lookup(scope: Scope, prefix: string): string | undefined {
  for (let at: Scope | null = scope; at; at = at.parent) {
    const ns = at.declared.get(prefix);
    if (ns !== undefined) return ns;
  }
  return undefined;
}

function convert(node: OrderedNode, inherited: Scope): XmlNode | null {
  const keys = Object.keys(node).filter((k) => k !== ':@');
  const key = keys[0];
  if (key === undefined) return null;
  const value = node[key];
  if (key === '#text') return String(value);
  if (key === '#cdata') return cdataText(value);
  if (key.startsWith('?') || key.startsWith('!')) return null;

  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  // Declarations on this element apply to itself and its attributes, so read them first.
  const declared = new Map<string, string>();
  for (const [name, attrValue] of Object.entries(rawAttrs)) {
    if (name === 'xmlns') declared.set('', attrValue);
    else if (name.startsWith('xmlns:')) {
      const prefix = name.slice(6);
      if (attrValue === '') throw new XmlSyntaxError(`the prefix "${prefix}" is bound to an empty namespace`);
      if (prefix === 'xmlns' || (prefix === 'xml') !== (attrValue === XML_NS) || attrValue === XMLNS_NS) {
        throw new XmlSyntaxError(`the prefix "${prefix}" cannot be bound to ${attrValue}`);
      }
      declared.set(prefix, attrValue);
    }
  }
  const scope: Scope = declared.size > 0 ? { declared, parent: inherited } : inherited;
  const { ns, name } = resolveName(key, scope, true);
  const attrs: XmlAttribute[] = [];
  for (const [attrName, attrValue] of Object.entries(rawAttrs)) {
    if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) continue;
    attrs.push({ ...resolveName(attrName, scope, false), value: String(attrValue) });
  }
  const children: XmlNode[] = [];
  for (const child of (value ?? []) as OrderedNode[]) {
    const converted = convert(child, scope);
    if (converted !== null) children.push(converted);
  }
  return { ns, name, attrs, children };
}

function cdataText(value: unknown): string {
  const parts = (value ?? []) as OrderedNode[];
  return parts.map((part) => String(part['#text'] ?? '')).join('');
}

/** Splits a qualified name; an unprefixed attribute has no namespace, an unprefixed element the default. */
function resolveName(qname: string, scope: Scope, element: boolean): { ns: string; name: string } {
  const colon = qname.indexOf(':');
  if (colon < 0) return { ns: element ? (lookup(scope, '') ?? '') : '', name: qname };
  const prefix = qname.slice(0, colon);
  const name = qname.slice(colon + 1);
  const ns = lookup(scope, prefix);
  if (ns === undefined) throw new XmlSyntaxError(`the prefix "${prefix}" is not declared`);
  if (name === '' || name.includes(':')) throw new XmlSyntaxError(`"${qname}" is not a valid name`);
  return { ns, name };
}

/** The child elements of an element (character data left out). */
export function elementsOf(element: XmlElement): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== 'string');
}

/** The concatenated character data directly inside an element. */
export function textOf(element: XmlElement): string {
  return element.children.filter((c): c is string => typeof c === 'string').join('');
}

export function isElement(element: XmlElement, ns: string, name: string): boolean {
  return element.ns === ns && element.name === name;
}
