import { BadRequestError } from '../errors/domain-error.js';

export type Depth = '0' | '1' | 'infinity';

/** The Depth header (RFC 4918 §10.2), checked against what the method allows; absent: `fallback`. */
export function parseDepth(value: string | undefined, allowed: readonly Depth[], fallback: Depth): Depth {
  if (value === undefined) return fallback;
  const depth = value.trim().toLowerCase();
  if ((allowed as readonly string[]).includes(depth)) return depth as Depth;
  throw new BadRequestError(`Depth must be ${allowed.join(' or ')} here, not "${value}"`, 'BAD_DEPTH');
}
