import mime from 'mime-types';
import { tagsMatch } from '../../drive/entries.js';
import type { OpenFile } from '../../drive/files.js';
import { BadRequestError, NotFoundError } from '../../errors/domain-error.js';
import { parseEntityTags } from '../../http/entity-tags.js';
// A browser may open the mount too: nothing served from it may run as active content in the origin.
import { SANDBOX_CSP } from '../../http/file-response.js';
import { parseRange } from '../../http/range.js';
import { sendLeases } from '../../http/send-leases.js';
import {
  header,
  ignoredMacFile,
  isMacJunk,
  type DavHandler,
  type DavRequest,
  type DavServices,
} from '../context.js';
import { DavPreconditionError } from '../dav-errors.js';
import { escapeText } from '../xml/xml-write.js';

/**
 * GET and HEAD: files stream through the same lent buffers as the API's downloads, with Range,
 * If-Range, ETag, Last-Modified and the conditional headers; a folder gets a plain listing.
 */
export const getResource: DavHandler = async (dav, services) => {
  if (ignoredMacFile(services, dav.target.names)) throw new NotFoundError('no such file');
  let file: OpenFile;
  try {
    file = await services.drive.files.open(dav.user, dav.target.drivePath);
  } catch (error) {
    if (error instanceof BadRequestError && error.code === 'IS_A_FOLDER') return sendFolder(dav, services);
    throw error;
  }
  const { request, reply } = dav;
  const lastModified = new Date(file.entry.modifiedAt).toUTCString();
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', file.etag)
    .header('last-modified', lastModified)
    .header('content-security-policy', SANDBOX_CSP);
  if (!preconditionsHold(dav, file))
    throw new DavPreconditionError('the file does not match the precondition');
  if (notModified(dav, file)) {
    await reply.code(304).send();
    return;
  }
  const ifRange = header(dav, 'if-range')?.trim();
  const rangeApplies = ifRange === undefined || ifRange === file.etag || ifRange === lastModified;
  const range = rangeApplies ? parseRange(header(dav, 'range'), file.size) : null;
  const length = range ? range.end - range.start + 1 : file.size;
  reply
    .type(mime.lookup(file.entry.name) || 'application/octet-stream')
    .header('content-length', String(length));
  if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
  if (request.method === 'HEAD' || length === 0) {
    await reply.send();
    return;
  }
  await sendLeases(request, reply, range ? 206 : 200, file.leases(range ?? undefined));
};

/** If-Match and If-Unmodified-Since (RFC 9110 §13.2.2, steps 1 and 2). */
function preconditionsHold(dav: DavRequest, file: OpenFile): boolean {
  const ifMatch = parseEntityTags(header(dav, 'if-match'), 'strong');
  if (ifMatch !== undefined) return tagsMatch(ifMatch, file.etag);
  const since = Date.parse(header(dav, 'if-unmodified-since') ?? '');
  return Number.isNaN(since) || Math.floor(file.entry.modifiedAt / 1000) * 1000 <= since;
}

/** If-None-Match and If-Modified-Since (steps 3 and 4). */
function notModified(dav: DavRequest, file: OpenFile): boolean {
  const ifNoneMatch = parseEntityTags(header(dav, 'if-none-match'), 'weak');
  if (ifNoneMatch !== undefined) return tagsMatch(ifNoneMatch, file.etag);
  const since = Date.parse(header(dav, 'if-modified-since') ?? '');
  return !Number.isNaN(since) && Math.floor(file.entry.modifiedAt / 1000) * 1000 <= since;
}

async function sendFolder(dav: DavRequest, services: DavServices): Promise<void> {
  const { reply } = dav;
  reply.type('text/html; charset=utf-8').header('content-security-policy', SANDBOX_CSP);
  if (dav.request.method === 'HEAD') {
    await reply.send();
    return;
  }
  const hide = services.config.macFiles === 'ignore';
  const items = (await services.drive.tree.children(dav.user, dav.target.drivePath))
    .filter((entry) => !(hide && isMacJunk(entry.name)))
    .map((entry) => {
      const href = services.mount.href([...dav.target.names, entry.name], entry.kind === 'dir');
      const label = entry.kind === 'dir' ? `${entry.name}/` : entry.name;
      return `<li><a href="${escapeText(href).replace(/"/g, '&quot;')}">${escapeText(label)}</a></li>`;
    });
  const title = escapeText(`/${dav.target.names.join('/')}`);
  await reply.send(
    `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><ul>${items.join('')}</ul>\n`,
  );
}
