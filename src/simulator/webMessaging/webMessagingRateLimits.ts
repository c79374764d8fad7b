/**
 * Sliding-window rate limits of the Web Messaging simulator (docs/genesys-protocol.md §5.7).
 * Only admitted requests are counted [I]: a refused request does not use up the window.
 */

/**
 * Forgets times older than `windowMs` and returns how long a request at `now` must wait, in whole
 * seconds ([C] `retryAfter` is in seconds; [I] rounded up, at least 1), or undefined when fewer than
 * `limit` requests were admitted within the window. The caller records an admitted request in `times`.
 */
export function retryAfterSeconds(times: number[], now: number, limit: number, windowMs: number): number | undefined {
  while (times.length > 0 && now - (times[0] ?? now) >= windowMs) times.shift();
  if (times.length < limit) return undefined;
  const oldest = times[0] ?? now;
  return Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
}

/** The request times of `key` in `map`, created empty on first use. */
export function timesOf(map: Map<string, number[]>, key: string): number[] {
  let times = map.get(key);
  if (times === undefined) {
    times = [];
    map.set(key, times);
  }
  return times;
}
