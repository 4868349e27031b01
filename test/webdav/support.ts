import assert from 'node:assert/strict';
import http from 'node:http';
import { elementsOf, parseXml, textOf, type XmlElement } from '../../src/webdav/xml/xml-parse.js';

export interface DavResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** A WebDAV client with Basic credentials, over real HTTP; `path` is below /dav and sent as given. */
export class DavClient {
  readonly mount: string;
  private readonly authorization: string;

  constructor(
    readonly origin: string,
    username: string,
    password: string,
    basePath = '',
  ) {
    this.mount = `${basePath}/dav`;
    this.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  url(path: string): string {
    return `${this.origin}${this.mount}${path}`;
  }

  async request(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string | Uint8Array; auth?: boolean } = {},
  ): Promise<DavResponse> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.auth !== false) headers.authorization = this.authorization;
    const response = await fetch(this.url(path), { method, headers, body: init.body, redirect: 'manual' });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** A request whose target is sent byte for byte (fetch would resolve dot segments first). */
  rawStatus(method: string, target: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = http.request(this.origin + '/', {
        method,
        path: target,
        headers: { authorization: this.authorization },
        agent: false,
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
  }

  propfind(path: string, depth: string, body?: string): Promise<DavResponse> {
    return this.request('PROPFIND', path, { headers: { depth }, body });
  }

  put(path: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<DavResponse> {
    return this.request('PUT', path, { headers, body });
  }

  async lock(
    path: string,
    options: { scope?: string; depth?: string; owner?: string; headers?: Record<string, string> } = {},
  ) {
    const owner = options.owner ?? '';
    const body = `<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:${options.scope ?? 'exclusive'}/></D:lockscope><D:locktype><D:write/></D:locktype>${owner}</D:lockinfo>`;
    const res = await this.request('LOCK', path, {
      headers: { depth: options.depth ?? 'infinity', ...options.headers },
      body,
    });
    const token = /^<(.+)>$/.exec(res.headers.get('lock-token') ?? '')?.[1];
    return { ...res, token };
  }
}

/** A multistatus body read with the mount's own namespace-aware parser: href → its <D:response>. */
export function responses(text: string): Map<string, XmlElement> {
  const root = parseXml(text);
  assert.equal(root.ns, 'DAV:');
  assert.equal(root.name, 'multistatus');
  const byHref = new Map<string, XmlElement>();
  for (const response of elementsOf(root)) {
    const href = elementsOf(response).find((e) => e.name === 'href');
    assert.ok(href, 'a response without href');
    byHref.set(textOf(href), response);
  }
  return byHref;
}

/** The hrefs of a multistatus body, in order. */
export function hrefs(text: string): string[] {
  return [...responses(text).keys()];
}

/** The status a property got in a response, and its element. */
export function propOf(
  response: XmlElement,
  ns: string,
  name: string,
): { status: number; element: XmlElement } | undefined {
  for (const propstat of elementsOf(response).filter((e) => e.name === 'propstat')) {
    const prop = elementsOf(propstat).find((e) => e.name === 'prop');
    const status = elementsOf(propstat).find((e) => e.name === 'status');
    const element = prop && elementsOf(prop).find((e) => e.ns === ns && e.name === name);
    if (element && status) return { status: Number(textOf(status).split(' ')[1]), element };
  }
  return undefined;
}

/** The text of a property that was found (200). */
export function propText(response: XmlElement, ns: string, name: string): string {
  const found = propOf(response, ns, name);
  assert.ok(found, `no ${ns}${name} in the response`);
  assert.equal(found.status, 200);
  return textOf(found.element);
}

export function propfindBody(props: string, namespaces = ''): string {
  return `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"${namespaces}><D:prop>${props}</D:prop></D:propfind>`;
}

export function proppatchBody(inner: string, namespaces = ''): string {
  return `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:"${namespaces}>${inner}</D:propertyupdate>`;
}
