import { BadRequestError } from '../../errors/domain-error.js';

/** One condition of an If list: a state token (a lock token) or an entity tag, maybe negated. */
export type IfCondition = { not: boolean; token: string } | { not: boolean; etag: string };

/** A parenthesised list; `resource` is the tag of a tagged list, null for an untagged one. */
export interface IfList {
  resource: string | null;
  conditions: IfCondition[];
}

export class IfHeaderError extends BadRequestError {
  constructor(detail: string) {
    super(`the If header is not valid: ${detail}`, 'BAD_IF_HEADER');
  }
}

/**
 * Parses an If header (RFC 4918 §10.4):
 *   If = 1*No-tag-list | 1*Tagged-list;  Tagged-list = "<" Simple-ref ">" 1*List
 *   List = "(" 1*(["Not"] ("<" Coded-URL ">" | "[" entity-tag "]")) ")"
 * A list is true when all its conditions are; the header is true when any list is.
 */
export function parseIfHeader(header: string): IfList[] {
  const reader = new Reader(header);
  const lists: IfList[] = [];
  let tagged: boolean | null = null;
  let resource: string | null = null;
  reader.skipSpace();
  if (reader.done()) throw new IfHeaderError('it is empty');
  while (!reader.done()) {
    if (reader.peek() === '<') {
      if (tagged === false) throw new IfHeaderError('tagged and untagged lists cannot be mixed');
      tagged = true;
      resource = reader.until('<', '>');
      reader.skipSpace();
      if (reader.peek() !== '(') throw new IfHeaderError('a resource tag must be followed by a list');
    } else if (reader.peek() === '(') {
      if (tagged === null) tagged = false;
      lists.push({ resource, conditions: readList(reader) });
    } else {
      throw new IfHeaderError(`unexpected "${reader.peek()}"`);
    }
    reader.skipSpace();
  }
  return lists;
}

function readList(reader: Reader): IfCondition[] {
  reader.expect('(');
  const conditions: IfCondition[] = [];
  for (;;) {
    reader.skipSpace();
    const c = reader.peek();
    if (c === ')') {
      reader.expect(')');
      break;
    }
    let not = false;
    if (reader.takeWord('not')) {
      not = true;
      reader.skipSpace();
    }
    const next = reader.peek();
    if (next === '<') conditions.push({ not, token: reader.until('<', '>') });
    else if (next === '[') conditions.push({ not, etag: readEntityTag(reader) });
    else throw new IfHeaderError(next === '' ? 'a list is not closed' : `unexpected "${next}" in a list`);
  }
  if (conditions.length === 0) throw new IfHeaderError('a list is empty');
  return conditions;
}

/** "[" entity-tag "]": W/"…" or "…"; the quoted part may hold "]". Returned without W/. */
function readEntityTag(reader: Reader): string {
  reader.expect('[');
  reader.skipSpace();
  reader.takeWord('w/');
  const tag = `"${reader.until('"', '"')}"`;
  reader.skipSpace();
  reader.expect(']');
  return tag;
}

class Reader {
  private at = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  peek(): string {
    return this.text[this.at] ?? '';
  }

  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.at++;
  }

  expect(c: string): void {
    if (this.peek() !== c) throw new IfHeaderError(`expected "${c}"`);
    this.at++;
  }

  /** Consumes a case-insensitive word if it is next. */
  takeWord(word: string): boolean {
    if (this.text.slice(this.at, this.at + word.length).toLowerCase() !== word) return false;
    this.at += word.length;
    return true;
  }

  /** The text between an opening and a closing character, which must both be there. */
  until(open: string, close: string): string {
    this.expect(open);
    const end = this.text.indexOf(close, this.at);
    if (end < 0) throw new IfHeaderError(`"${open}" is not closed`);
    const value = this.text.slice(this.at, end);
    this.at = end + 1;
    if (value === '') throw new IfHeaderError(`an empty "${open}${close}"`);
    return value;
  }
}

/** What conditions are evaluated against: a resource's entity tag and the tokens of its locks. */
export interface IfResourceState {
  etag: string | null;
  lockTokens: ReadonlySet<string>;
}

/**
 * Whether the header holds: any list whose conditions all hold for its resource. `stateOf` gets the
 * tag of a tagged list (null: the request's own resource) and answers null for a resource that is
 * not on this server, whose lists cannot hold.
 */
export async function evaluateIf(
  lists: readonly IfList[],
  stateOf: (resource: string | null) => Promise<IfResourceState | null>,
): Promise<boolean> {
  for (const list of lists) {
    const state = await stateOf(list.resource);
    if (state && list.conditions.every((c) => holds(c, state))) return true;
  }
  return false;
}

function holds(condition: IfCondition, state: IfResourceState): boolean {
  const value =
    'token' in condition
      ? state.lockTokens.has(condition.token)
      : state.etag !== null && state.etag.replace(/^W\//, '') === condition.etag;
  return condition.not ? !value : value;
}

/** The lock tokens a client submitted: those named (not negated) anywhere in the header. */
export function submittedTokens(lists: readonly IfList[]): Set<string> {
  const tokens = new Set<string>();
  for (const list of lists) {
    for (const c of list.conditions) if ('token' in c && !c.not) tokens.add(c.token);
  }
  return tokens;
}
