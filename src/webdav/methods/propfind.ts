import { BadRequestError, NotFoundError } from '../../errors/domain-error.js';
import type { Entry } from '../../drive/entries.js';
import type { DeadProperty } from '../../drive/properties.js';
import {
  header,
  ignoredMacFile,
  isMacJunk,
  type DavHandler,
  type DavRequest,
  type DavServices,
} from '../context.js';
import { DavForbiddenError } from '../dav-errors.js';
import { parseDepth } from '../depth.js';
import { liveNames, liveValue, LIVE_PROPERTIES, type LiveSource } from '../props/live-props.js';
import { MultiStatus, type PropStat } from '../props/multistatus.js';
import { readXml } from '../request-body.js';
import { elementsOf, type XmlElement } from '../xml/xml-parse.js';
import { DAV_NS, emptyElement, isDavElement, wrapElement } from '../xml/xml-write.js';

interface PropName {
  ns: string;
  name: string;
}

type PropfindQuery =
  { kind: 'allprop'; include: PropName[] } | { kind: 'propname' } | { kind: 'prop'; props: PropName[] };

/** PROPFIND (RFC 4918 §9.1): Depth 0 and 1, and infinity when the settings allow it. */
export const propfind: DavHandler = async (dav, services) => {
  const depth = parseDepth(header(dav, 'depth'), ['0', '1', 'infinity'], 'infinity');
  if (depth === 'infinity' && !services.config.depthInfinity) {
    throw new DavForbiddenError('PROPFIND with Depth: infinity is not allowed here', {
      name: 'propfind-finite-depth',
    });
  }
  const query = parseQuery(await readXml(dav.request, services.xmlBodyLimit));
  if (ignoredMacFile(services, dav.target.names)) throw new NotFoundError('no such file');
  const self = await services.drive.tree.stat(dav.user, dav.target.drivePath);
  const shown = await rowsOf(dav, services, self, depth);
  const dead =
    query.kind === 'prop' && query.props.every((p) => isLive(p))
      ? null
      : await deadProperties(dav, services, self, depth, shown);

  const body = new MultiStatus();
  for (const { entry, names } of shown) {
    const source: LiveSource = {
      entry,
      locks: services.locks.covering(dav.user.id, entry.path),
      user: dav.user,
      services,
      root: dav.principal.root,
    };
    const href = services.mount.href(names, entry.kind === 'dir');
    body.addPropStats(href, propStats(query, source, dead?.get(entry.id) ?? []));
  }
  await dav.reply.code(207).type('application/xml; charset=utf-8').send(body.toString());
};

interface Row {
  entry: Entry;
  /** Its names below the mount's root, for the href. */
  names: string[];
}

/** The resource, then its children (Depth 1) or everything below it (infinity), in one query. */
async function rowsOf(dav: DavRequest, services: DavServices, self: Entry, depth: string): Promise<Row[]> {
  const { tree } = services.drive;
  const rows: Row[] = [{ entry: self, names: dav.target.names }];
  if (self.kind === 'dir' && depth === '1') {
    for (const entry of await tree.children(dav.user, self.path)) {
      rows.push({ entry, names: [...dav.target.names, entry.name] });
    }
  } else if (self.kind === 'dir' && depth === 'infinity') {
    const skip = self.path === '/' ? 1 : self.path.length + 1;
    for (const entry of (await tree.descendants(dav.user, self.path)).slice(1)) {
      rows.push({ entry, names: [...dav.target.names, ...entry.path.slice(skip).split('/')] });
    }
  }
  if (services.config.macFiles !== 'ignore') return rows;
  return rows.filter((row, i) => i === 0 || !isMacJunk(row.entry.name));
}

function parseQuery(body: XmlElement | null): PropfindQuery {
  if (body === null) return { kind: 'allprop', include: [] };
  if (!isDavElement(body, 'propfind'))
    throw new BadRequestError('expected a DAV:propfind body', 'BAD_PROPFIND');
  const children = elementsOf(body);
  const prop = children.find((c) => isDavElement(c, 'prop'));
  if (children.some((c) => isDavElement(c, 'propname'))) return { kind: 'propname' };
  if (children.some((c) => isDavElement(c, 'allprop'))) {
    const include = children.find((c) => isDavElement(c, 'include'));
    return { kind: 'allprop', include: include ? namesIn(include) : [] };
  }
  if (prop) return { kind: 'prop', props: namesIn(prop) };
  throw new BadRequestError('a DAV:propfind holds DAV:prop, DAV:allprop or DAV:propname', 'BAD_PROPFIND');
}

/**
 * Clients ask for a few dozen properties at most. The answer repeats every name (with its namespace)
 * for every child, so a 1 MB body of names over a large folder would build gigabytes of XML.
 */
export const MAX_PROPFIND_NAMES = 128;
export const MAX_PROPFIND_NAME_BYTES = 8 * 1024;

/** The distinct property names asked for, in order. */
function namesIn(element: XmlElement): PropName[] {
  const names = new Map<string, PropName>();
  for (const e of elementsOf(element)) names.set(`${e.ns}\u0000${e.name}`, { ns: e.ns, name: e.name });
  let bytes = 0;
  for (const key of names.keys()) bytes += Buffer.byteLength(key);
  if (names.size > MAX_PROPFIND_NAMES || bytes > MAX_PROPFIND_NAME_BYTES) {
    throw new BadRequestError(
      `a PROPFIND can ask for at most ${MAX_PROPFIND_NAMES} properties, of ${MAX_PROPFIND_NAME_BYTES} bytes of names in all`,
      'TOO_MANY_PROPERTIES',
    );
  }
  return [...names.values()];
}

function isLive(p: PropName): boolean {
  return p.ns === DAV_NS && LIVE_PROPERTIES.has(p.name);
}

/** Dead properties of every row, by node id: one query for the children of a folder. */
async function deadProperties(
  dav: DavRequest,
  services: DavServices,
  self: Entry,
  depth: string,
  rows: readonly { entry: Entry }[],
): Promise<Map<number, DeadProperty[]>> {
  const { properties } = services.drive;
  if (depth === '0' || self.kind !== 'dir')
    return new Map([[self.id, await properties.get(dav.user, self.path)]]);
  if (depth === '1') {
    const byNode = await properties.ofChildren(dav.user, self.path);
    byNode.set(self.id, await properties.get(dav.user, self.path));
    return byNode;
  }
  return properties.ofNodes(
    dav.user,
    rows.map((r) => r.entry.id),
  );
}

function liveElement(name: string, value: string): string {
  return value === '' ? `<D:${name}/>` : `<D:${name}>${value}</D:${name}>`;
}

function propStats(query: PropfindQuery, source: LiveSource, dead: readonly DeadProperty[]): PropStat[] {
  const found: string[] = [];
  const missing: string[] = [];
  if (query.kind === 'propname') {
    for (const name of liveNames(source, false)) found.push(`<D:${name}/>`);
    for (const p of dead) found.push(emptyElement(p.namespace, p.name));
    return [{ status: 200, props: found }];
  }
  const wanted =
    query.kind === 'prop'
      ? query.props
      : [
          ...liveNames(source, true).map((name) => ({ ns: DAV_NS, name })),
          ...dead.map((p) => ({ ns: p.namespace, name: p.name })),
          ...query.include,
        ];
  const seen = new Set<string>();
  for (const { ns, name } of wanted) {
    const key = `${ns}\u0000${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const live = ns === DAV_NS && LIVE_PROPERTIES.has(name) ? liveValue(name, source) : null;
    if (live !== null) {
      found.push(liveElement(name, live));
      continue;
    }
    const stored = dead.find((p) => p.namespace === ns && p.name === name);
    if (stored) found.push(wrapElement(ns, name, stored.value));
    else missing.push(emptyElement(ns, name));
  }
  return [
    { status: 200, props: found },
    { status: 404, props: missing },
  ];
}
