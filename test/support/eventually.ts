/**
 * Polls `check` (every 10 ms) until it returns true; rejects after `timeoutMs` naming `what`.
 * For conditions nothing announces; prefer a recorder's own wait where there is one.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
