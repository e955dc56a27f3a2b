// Exponential backoff, the one formula for retries on the desk: the sync loop's retries (with full jitter,
// AWS architecture blog, "Exponential Backoff And Jitter") and main's restarts of a dead core (no jitter:
// one process, nothing to spread out). ceiling = min(cap, base * 2^attempt); a server's Retry-After is a floor.
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  random?: () => number;
}

export function backoffCeiling(attempt: number, opts: BackoffOptions = {}): number {
  return Math.min(opts.capMs ?? 60_000, (opts.baseMs ?? 500) * 2 ** Math.min(attempt, 30));
}

/** sleep = random(0, ceiling), never under the server's Retry-After. */
export function fullJitterDelay(attempt: number, opts: BackoffOptions = {}, retryAfterMs: number | null = null): number {
  const jittered = Math.floor((opts.random ?? Math.random)() * backoffCeiling(attempt, opts));
  return retryAfterMs !== null ? Math.max(retryAfterMs, jittered) : jittered;
}
