/** The expiry choices of a new share link. */
export const EXPIRY_PRESETS = ['never', '1d', '7d', '30d', 'custom'] as const;
export type ExpiryPreset = (typeof EXPIRY_PRESETS)[number];

const DAY = 24 * 3600_000;
const PRESET_DAYS: Partial<Record<ExpiryPreset, number>> = { '1d': 1, '7d': 7, '30d': 30 };

/** Milliseconds since the epoch, undefined for none, or 'invalid' for a custom time not in the future. */
export function expiryOf(preset: ExpiryPreset, custom: string, now: number): number | undefined | 'invalid' {
  if (preset === 'never') return undefined;
  const days = PRESET_DAYS[preset];
  if (days !== undefined) return now + days * DAY;
  // datetime-local gives the visitor's local time, which Date parses as local time.
  const at = custom ? new Date(custom).getTime() : NaN;
  return Number.isFinite(at) && at > now ? at : 'invalid';
}

/** A Date as the value of an <input type="datetime-local"> (local time, to the minute). */
export function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
