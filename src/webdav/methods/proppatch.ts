import { BadRequestError } from '../../errors/domain-error.js';
import { PropertiesTooLargeError, type PropertyChange } from '../../drive/properties.js';
import type { DavHandler } from '../context.js';
import { guardWrite } from '../locks/write-guard.js';
import { LIVE_PROPERTIES } from '../props/live-props.js';
import { MultiStatus } from '../props/multistatus.js';
import { readXml } from '../request-body.js';
import { elementsOf, type XmlElement } from '../xml/xml-parse.js';
import { DAV_NS, emptyElement, isDavElement, serializeNodes } from '../xml/xml-write.js';

/**
 * PROPPATCH (RFC 4918 §9.2): sets and removes dead properties in document order, all or none. A live
 * property cannot be changed (403) and then nothing is (424 for the others).
 */
export const proppatch: DavHandler = async (dav, services) => {
  const body = await readXml(dav.request, services.xmlBodyLimit);
  const changes = parseChanges(body);
  await guardWrite(dav, services, [{ drivePath: dav.target.drivePath }]);
  const entry = await services.drive.tree.stat(dav.user, dav.target.drivePath);

  const names = changes.map((c) => emptyElement(c.namespace, c.name));
  const refused = changes.map((c) => c.namespace === DAV_NS && LIVE_PROPERTIES.has(c.name));
  const result = new MultiStatus();
  const href = services.mount.href(dav.target.names, entry.kind === 'dir');
  if (refused.some(Boolean)) {
    result.addPropStats(href, [
      { status: 403, props: names.filter((_, i) => refused[i]) },
      { status: 424, props: names.filter((_, i) => !refused[i]) },
    ]);
  } else {
    try {
      await services.drive.properties.patch(dav.user, dav.target.drivePath, changes);
      result.addPropStats(href, [{ status: 200, props: names }]);
    } catch (error) {
      if (!(error instanceof PropertiesTooLargeError)) throw error;
      result.addPropStats(href, [{ status: 507, props: names }]);
    }
  }
  await dav.reply.code(207).type('application/xml; charset=utf-8').send(result.toString());
};

function parseChanges(body: XmlElement | null): PropertyChange[] {
  if (body === null || !isDavElement(body, 'propertyupdate')) {
    throw new BadRequestError('expected a DAV:propertyupdate body', 'BAD_PROPPATCH');
  }
  const changes: PropertyChange[] = [];
  for (const instruction of elementsOf(body)) {
    const set = isDavElement(instruction, 'set');
    if (!set && !isDavElement(instruction, 'remove')) continue;
    for (const prop of elementsOf(instruction).filter((e) => isDavElement(e, 'prop'))) {
      for (const property of elementsOf(prop)) {
        changes.push(
          set
            ? {
                op: 'set',
                namespace: property.ns,
                name: property.name,
                value: serializeNodes(property.children),
              }
            : { op: 'remove', namespace: property.ns, name: property.name },
        );
      }
    }
  }
  if (changes.length === 0) throw new BadRequestError('the PROPPATCH changes no property', 'BAD_PROPPATCH');
  return changes;
}
