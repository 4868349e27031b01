import {
  elementsOf,
  isElement,
  parseXml,
  textOf,
  XmlSyntaxError,
  type XmlElement,
} from '../webdav/xml/xml-parse.js';

const DAV = 'DAV:';

/** One resource a PROPFIND answer describes. */
export interface DavEntry {
  /** The last path segment, percent-decoded. */
  name: string;
  collection: boolean;
  /** DAV:getcontentlength, when the server reported it. */
  size: number | null;
}

export interface FolderListing {
  /** The folder itself, when the answer describes it. */
  self: DavEntry | null;
  /** The resources directly inside the folder; anything the answer says about other paths is left out. */
  members: DavEntry[];
}

/** The body of a PROPFIND asking for just what a listing needs. */
export const LISTING_PROPFIND =
  '<?xml version="1.0" encoding="utf-8"?>\n' +
  '<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/></D:prop></D:propfind>';

/**
 * Reads a 207 Multi-Status answer to a PROPFIND on `folderUrl` (or on a file: then `self` describes
 * it). Hrefs may be
 * full URLs, absolute paths or relative references, percent-encoded in any case: each is resolved
 * against the folder and compared segment by segment, decoded. Throws XmlSyntaxError on a body that
 * is not well-formed XML or not a multistatus.
 */
export function parseFolderListing(xml: string, folderUrl: string): FolderListing {
  const root = parseXml(xml);
  if (!isElement(root, DAV, 'multistatus')) {
    throw new XmlSyntaxError(`expected a DAV:multistatus, got ${root.name}`);
  }
  const folder = segmentsOf(new URL(folderUrl).pathname);
  let self: DavEntry | null = null;
  const members: DavEntry[] = [];
  for (const response of elementsOf(root).filter((e) => isElement(e, DAV, 'response'))) {
    const hrefElement = elementsOf(response).find((e) => isElement(e, DAV, 'href'));
    if (!hrefElement) continue;
    const href = textOf(hrefElement).trim();
    const segments = hrefSegments(href, folderUrl);
    if (segments === null) continue;
    if (sameSegments(segments, folder)) {
      self = entryOf(response, folder.at(-1) ?? '', href.endsWith('/'));
    } else if (segments.length === folder.length + 1 && sameSegments(segments.slice(0, -1), folder)) {
      members.push(entryOf(response, segments.at(-1)!, href.endsWith('/')));
    }
  }
  return { self, members };
}

function hrefSegments(href: string, folderUrl: string): string[] | null {
  try {
    return segmentsOf(new URL(href, folderUrl).pathname);
  } catch {
    return null;
  }
}

/** The decoded, NFC-normalised segments of a URL path (a segment that does not decode is kept as is). */
function segmentsOf(pathname: string): string[] {
  return pathname
    .split('/')
    .filter((raw) => raw !== '')
    .map((raw) => {
      try {
        return decodeURIComponent(raw).normalize('NFC');
      } catch {
        return raw;
      }
    });
}

function sameSegments(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

/** The properties a server found (propstat with status 200); the others it reports as missing. */
function foundProps(response: XmlElement): XmlElement[] {
  const props: XmlElement[] = [];
  for (const propstat of elementsOf(response).filter((e) => isElement(e, DAV, 'propstat'))) {
    const status = elementsOf(propstat).find((e) => isElement(e, DAV, 'status'));
    if (status && !/^\S+\s+2\d\d\b/.test(textOf(status).trim())) continue;
    for (const prop of elementsOf(propstat).filter((e) => isElement(e, DAV, 'prop'))) {
      props.push(...elementsOf(prop));
    }
  }
  return props;
}

function entryOf(response: XmlElement, name: string, trailingSlash: boolean): DavEntry {
  const props = foundProps(response);
  const type = props.find((p) => isElement(p, DAV, 'resourcetype'));
  const collection =
    trailingSlash || (type !== undefined && elementsOf(type).some((e) => isElement(e, DAV, 'collection')));
  const length = props.find((p) => isElement(p, DAV, 'getcontentlength'));
  const digits = length ? textOf(length).trim() : '';
  const size = /^\d{1,15}$/.test(digits) ? Number(digits) : null;
  return { name, collection, size };
}
