import { z } from 'zod';
import { badRequest } from './hub-error.js';
import { describeIssue } from './request-body.js';

export interface CommitHeader {
  summary: string;
  description: string;
  parentCommit?: string;
}

/** One operation of a commit, as the NDJSON body says it. */
export type CommitOperation =
  | { kind: 'file'; path: string; content: Buffer }
  | { kind: 'lfsFile'; path: string; oid: string; size: number }
  | { kind: 'copy'; path: string; from: string }
  | { kind: 'delete'; path: string; target: 'file' | 'folder' | 'entry' };

const header = z.object({
  summary: z.string().trim().min(1, 'a commit needs a summary'),
  description: z.string().optional(),
  parentCommit: z
    .string()
    .regex(/^[0-9a-f]{40}$/, 'parentCommit must be a full commit id')
    .optional(),
});
const file = z.object({
  path: z.string(),
  content: z.string().optional(),
  encoding: z.enum(['base64', 'utf-8']).optional(),
  oldPath: z.string().optional(),
});
const lfsFile = z.object({
  path: z.string(),
  algo: z.literal('sha256').optional(),
  oid: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'oid must be a lowercase SHA-256 in hex')
    .optional(),
  size: z.number().int().nonnegative().optional(),
  oldPath: z.string().optional(),
});
const deleted = z.object({ path: z.string() });
const line = z.object({ key: z.string(), value: z.unknown() });

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(`${where}: ${describeIssue(result.error)}`);
  return result.data;
}

function decodeContent(value: z.infer<typeof file>, where: string): Buffer {
  const content = value.content ?? '';
  if (value.encoding !== 'base64') return Buffer.from(content, 'utf8');
  if (content.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(content)) {
    throw badRequest(`${where}: content is not valid base64`);
  }
  return Buffer.from(content, 'base64');
}

/**
 * Parses `application/x-ndjson` commit bodies: a header line first, then file, lfsFile,
 * deletedFile, deletedFolder and deletedEntry lines. `oldPath` without content copies a file.
 */
export function parseCommitBody(body: Buffer): { header: CommitHeader; operations: CommitOperation[] } {
  const lines = body
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  let commitHeader: CommitHeader | undefined;
  const operations: CommitOperation[] = [];
  lines.forEach((text, index) => {
    const where = `line ${index + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw badRequest(`${where}: not JSON`);
    }
    const { key, value } = parse(line, json, where);
    if (index === 0 && key !== 'header') throw badRequest('The first line of a commit must be its header');
    switch (key) {
      case 'header': {
        if (index !== 0) throw badRequest(`${where}: only one header, on the first line`);
        const h = parse(header, value, where);
        commitHeader = { summary: h.summary, description: h.description ?? '', parentCommit: h.parentCommit };
        return;
      }
      case 'file': {
        const f = parse(file, value, where);
        if (f.content === undefined && f.oldPath !== undefined) {
          operations.push({ kind: 'copy', path: f.path, from: f.oldPath });
        } else {
          operations.push({ kind: 'file', path: f.path, content: decodeContent(f, where) });
        }
        return;
      }
      case 'lfsFile': {
        const f = parse(lfsFile, value, where);
        if (f.oid === undefined && f.oldPath !== undefined) {
          operations.push({ kind: 'copy', path: f.path, from: f.oldPath });
        } else if (f.oid === undefined || f.size === undefined) {
          throw badRequest(`${where}: lfsFile needs oid and size`);
        } else {
          operations.push({ kind: 'lfsFile', path: f.path, oid: f.oid, size: f.size });
        }
        return;
      }
      case 'deletedFile':
      case 'deletedFolder':
      case 'deletedEntry': {
        const target = key === 'deletedFile' ? 'file' : key === 'deletedFolder' ? 'folder' : 'entry';
        operations.push({
          kind: 'delete',
          path: parse(deleted, value, where).path.replace(/\/$/, ''),
          target,
        });
        return;
      }
      default:
        throw badRequest(`${where}: unknown key "${key}"`);
    }
  });
  if (!commitHeader) throw badRequest('The commit body is empty: it needs a header line');
  return { header: commitHeader, operations };
}
