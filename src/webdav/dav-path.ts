import { formatPath, normalizeName, parsePath } from '../drive/names.js';
import { BadRequestError } from '../errors/domain-error.js';
import { BadGatewayError } from './dav-errors.js';

/** A resource of the mount: its names below the mount's root, and the drive path they stand for. */
export interface DavPath {
  names: string[];
  drivePath: string;
  /** The request named it with a trailing slash (a collection, to the client). */
  trailingSlash: boolean;
}

/** Where the mount lives (`BASE_PATH/dav`) and how its URLs map to drive paths and back. */
export class DavMount {
  constructor(readonly prefix: string) {}

  /**
   * The resource a request target names. Each segment is percent-decoded as UTF-8; `.` and `..`
   * segments, invalid UTF-8 and names the drive refuses are 400. `root` confines the mount.
   */
  resolve(target: string, root: string): DavPath {
    const query = target.indexOf('?');
    const path = query >= 0 ? target.slice(0, query) : target;
    if (path !== this.prefix && !path.startsWith(`${this.prefix}/`)) {
      throw new BadRequestError('the path is not under the WebDAV mount', 'BAD_PATH');
    }
    const rest = path.slice(this.prefix.length);
    // Each name is validated on its own (a "%2F" must not split it), then the path's length and depth.
    const names = rest
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => normalizeName(decodeSegment(segment)));
    const validated = parsePath(formatPath(names));
    return {
      names: validated,
      drivePath: formatPath([...parsePath(root), ...validated]),
      trailingSlash: rest.endsWith('/'),
    };
  }

  /**
   * The Destination header of COPY and MOVE: an absolute URL on this same server, or an absolute
   * path. Another host, or a path outside the mount, is 502 (RFC 4918 §9.8.5).
   */
  destination(header: string | undefined, origin: { protocol: string; host: string }, root: string): DavPath {
    if (header === undefined || header.trim() === '') {
      throw new BadRequestError('COPY and MOVE need a Destination header', 'BAD_DESTINATION');
    }
    let self: URL;
    let url: URL;
    try {
      self = new URL(`${origin.protocol}://${origin.host}`);
      url = new URL(header.trim(), self);
    } catch {
      throw new BadRequestError('the Destination header is not a valid URL', 'BAD_DESTINATION');
    }
    // https is let through: behind a TLS proxy the request itself may have arrived as http.
    if (
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.host.toLowerCase() !== self.host.toLowerCase()
    ) {
      throw new BadGatewayError('the Destination is on another server');
    }
    if (url.pathname !== this.prefix && !url.pathname.startsWith(`${this.prefix}/`)) {
      throw new BadGatewayError('the Destination is outside the WebDAV mount');
    }
    return this.resolve(url.pathname, root);
  }

  /** The href of a resource named by its names below the root; collections end with a slash. */
  href(names: readonly string[], collection: boolean): string {
    let href = this.prefix;
    for (const name of names) href += `/${encodeURIComponent(name)}`;
    return collection ? `${href}/` : href;
  }

  /** The href of a drive path as seen from a mount rooted at `root`, or null when outside it. */
  hrefOfDrivePath(drivePath: string, root: string, collection: boolean): string | null {
    const rootNames = parsePath(root);
    const names = parsePath(drivePath);
    if (names.length < rootNames.length || rootNames.some((n, i) => names[i] !== n)) return null;
    return this.href(names.slice(rootNames.length), collection);
  }
}

function decodeSegment(segment: string): string {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    throw new BadRequestError('the path is not valid percent-encoded UTF-8', 'BAD_PATH');
  }
  if (name === '.' || name === '..') {
    throw new BadRequestError('"." and ".." are not allowed in a path', 'BAD_PATH');
  }
  return name;
}

/** The drive path of the folder holding `drivePath` (the root is its own parent). */
export function parentOf(drivePath: string): string {
  const names = parsePath(drivePath);
  return formatPath(names.slice(0, -1));
}

/** Whether `path` is `ancestor` or lies below it (drive paths). */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === '/' || path === ancestor || path.startsWith(`${ancestor}/`);
}
