/** The colour of a usage bar: red from 90 % of the quota, orange from 75 %. */
export function usageColor(fraction: number): string {
  return fraction >= 0.9 ? 'red' : fraction >= 0.75 ? 'orange' : 'blue';
}
