import type { FastifyRequest } from 'fastify';
import { PayloadTooLargeError } from '../errors/domain-error.js';
import { parseXml, type XmlElement } from './xml/xml-parse.js';

/**
 * Reads a whole request body of at most `limit` bytes. Beyond it: 413, and the rest is not read
 * (the error response closes the connection).
 */
export function readBody(request: FastifyRequest, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  const raw = request.raw;
  if (raw.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onError);
      raw.off('close', onClose);
    };
    const onData = (part: Buffer) => {
      size += part.length;
      if (size > limit) {
        cleanup();
        raw.pause();
        reject(tooLarge(limit));
        return;
      }
      parts.push(part);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(parts));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the client closed the connection during the body'));
    };
    raw.on('data', onData);
    raw.on('end', onEnd);
    raw.on('error', onError);
    raw.on('close', onClose);
  });
}

/** The XML document in the body, or null when the body is empty (or only whitespace). */
export async function readXml(request: FastifyRequest, limit: number): Promise<XmlElement | null> {
  let text = (await readBody(request, limit)).toString('utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') return null;
  return parseXml(text);
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`an XML body can be at most ${limit} bytes`);
}
