/** How much of a quota is used (1 is full, more is over); a zero quota counts as one byte. */
export function usageFraction(used: number, quota: number): number {
  return used / Math.max(1, quota);
}

/** The colour of a usage bar: red from 90 % of the quota, orange from 75 %. */
export function usageColor(fraction: number): string {
  return fraction >= 0.9 ? 'red' : fraction >= 0.75 ? 'orange' : 'blue';
}
