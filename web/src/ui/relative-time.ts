const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  // An average month, so that twelve of them make a year.
  ['day', 30.436875],
  ['month', 12],
  ['year', Infinity],
];

/** "5 minutes ago", "5 分钟前": how long before `now` a moment was, in the reader's language. */
export function formatRelative(at: number, now: number, language: string): string {
  let value = Math.round((at - now) / 1000);
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size)
      return new Intl.RelativeTimeFormat(language, { numeric: 'auto' }).format(value, unit);
    value = Math.round(value / size);
  }
  return '';
}
