import { useState } from 'react';

/**
 * The last non-null value seen: a dialog keeps showing what it showed while its closing transition
 * runs, after its owner has already set the value to null.
 */
export function useLastValue<T>(value: T | null): T | null {
  const [last, setLast] = useState<T | null>(value);
  if (value !== null && value !== last) setLast(value);
  return value ?? last;
}
