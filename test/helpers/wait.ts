/**
 * Polls `probe` every `intervalMs` until it returns true (state that settles asynchronously, not
 * timing); fails after `timeoutMs`.
 */
export async function until(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
