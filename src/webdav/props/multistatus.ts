import { escapeText, XML_DECLARATION } from '../xml/xml-write.js';

const REASONS: Record<number, string> = {
  200: 'OK',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  423: 'Locked',
  424: 'Failed Dependency',
  507: 'Insufficient Storage',
};

export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${REASONS[status] ?? ''}`.trimEnd();
}

/** One propstat: serialised property elements that share a status. */
export interface PropStat {
  status: number;
  props: string[];
}

/** A 207 Multi-Status body (RFC 4918 §13), built in one pass as responses are added. */
export class MultiStatus {
  private body = `${XML_DECLARATION}<D:multistatus xmlns:D="DAV:">`;

  addPropStats(href: string, propstats: readonly PropStat[]): void {
    let out = `<D:response><D:href>${escapeText(href)}</D:href>`;
    const shown = propstats.filter((p) => p.props.length > 0);
    // A response holds at least one propstat, even when no property was asked for.
    if (shown.length === 0) shown.push({ status: 200, props: [] });
    for (const { status, props } of shown) {
      out += `<D:propstat><D:prop>${props.join('')}</D:prop><D:status>${statusLine(status)}</D:status></D:propstat>`;
    }
    this.body += `${out}</D:response>`;
  }

  addStatus(href: string, status: number): void {
    this.body += `<D:response><D:href>${escapeText(href)}</D:href><D:status>${statusLine(status)}</D:status></D:response>`;
  }

  toString(): string {
    return `${this.body}</D:multistatus>\n`;
  }
}
