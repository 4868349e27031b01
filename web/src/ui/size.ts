/**
 * Sizes typed by a person ("50 GB", "1.5TiB", "1048576"). GB and GiB are both powers of 1024, the
 * way formatBytes shows sizes, so a quota typed as "50 GB" is displayed as "50 GB".
 */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const EXACT_UNITS = [
  ['TB', 1024 ** 4],
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['KB', 1024],
] as const;

/** A parsed size: `bytes` is null for an empty text (no limit). */
export type SizeInput = { ok: true; bytes: number | null } | { ok: false };

export function parseSizeInput(text: string): SizeInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, bytes: null };
  const match = /^(\d+(?:[.,]\d+)?)\s*([a-z]*)$/i.exec(trimmed);
  if (!match) return { ok: false };
  const unit = UNITS[match[2]!.toLowerCase()];
  if (unit === undefined) return { ok: false };
  const bytes = Math.round(Number(match[1]!.replace(',', '.')) * unit);
  return Number.isSafeInteger(bytes) ? { ok: true, bytes } : { ok: false };
}

/** The text that parses back to exactly these bytes: "50 GB" when it divides, else the byte count. */
export function sizeInputText(bytes: number | null): string {
  if (bytes === null) return '';
  for (const [unit, size] of EXACT_UNITS) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return String(bytes);
}
