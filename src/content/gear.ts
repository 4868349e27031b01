import { createHash } from 'node:crypto';

/**
 * The 256 random words of the gear rolling hash. They are derived from a fixed label, so chunk
 * boundaries, and with them deduplication, stay the same across versions and machines. Changing them
 * is a store format change (hubdrive.json records "gear-v1").
 */
export const GEAR_NAME = 'gear-v1';

function buildGear(): Int32Array {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    table[i] = createHash('sha256').update(`hubdrive ${GEAR_NAME} ${i}`).digest().readInt32LE(0);
  }
  return table;
}

export const GEAR: Int32Array = buildGear();
