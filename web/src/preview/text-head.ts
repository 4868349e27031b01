import { useQuery } from '@tanstack/react-query';
import { errorOf } from '../api/client';

/** Text previews read at most this much of a file: enough to read, small enough to render at once. */
export const TEXT_LIMIT = 1024 * 1024;

export interface TextHead {
  text: string;
  /** Bytes read from the start of the file. */
  bytes: number;
  /** The file is longer than what was read. */
  truncated: boolean;
  /** NUL bytes near the start: not text. */
  binary: boolean;
}

/** Reads the start of a file with a Range request; a server that ignores the range is cut off. */
export async function fetchTextHead(url: string, size: number, signal?: AbortSignal): Promise<TextHead> {
  // An empty file has no byte 0 to ask for (the answer would be 416).
  if (size === 0) return { text: '', bytes: 0, truncated: false, binary: false };
  const response = await fetch(url, {
    headers: { range: `bytes=0-${TEXT_LIMIT - 1}` },
    credentials: 'same-origin',
    signal,
  });
  if (!response.ok) throw await errorOf(response);
  const total = Number(/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? size);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = response.body?.getReader();
  if (reader) {
    while (bytes < TEXT_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.byteLength;
    }
    if (bytes >= TEXT_LIMIT) await reader.cancel();
  }
  const data = new Uint8Array(Math.min(bytes, TEXT_LIMIT));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, data.length - offset);
    data.set(part, offset);
    offset += part.length;
    if (offset >= data.length) break;
  }
  const truncated = total > data.length;
  return {
    // stream: true leaves out a character cut in half at the end instead of showing U+FFFD.
    text: new TextDecoder('utf-8').decode(data, { stream: truncated }),
    bytes: data.length,
    truncated,
    binary: data.subarray(0, 8192).includes(0),
  };
}

/** The start of a file as text, cached per URL and content version. */
export function useTextHead(url: string, size: number, version: string | number | null | undefined) {
  return useQuery({
    queryKey: ['preview-text', url, version ?? size],
    queryFn: ({ signal }) => fetchTextHead(url, size, signal),
    staleTime: 60_000,
    gcTime: 60_000,
    retry: false,
  });
}
