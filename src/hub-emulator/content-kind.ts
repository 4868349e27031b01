/** The Hub refuses regular (non-LFS) files larger than this; preupload sends larger ones to LFS. */
export const REGULAR_FILE_LIMIT = 10 * 1024 * 1024;

/** How much of a file the client sends to preupload, and what both rules look at. */
export const SAMPLE_SIZE = 512;

/**
 * Whether the first bytes of a file look binary: a NUL byte, or bytes that are not UTF-8 (an
 * incomplete character cut at the end of the sample is allowed). The Hub's own test is unknown;
 * preupload and commit use this same one, so a file preupload calls regular is always accepted.
 */
export function looksBinary(sample: Buffer): boolean {
  if (sample.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return false;
  } catch {
    return true;
  }
}
