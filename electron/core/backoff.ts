// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
// sleep = random(0, min(cap, base * 2^attempt)); a server's Retry-After is a floor.
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  random?: () => number;
}

export function fullJitterDelay(attempt: number, opts: BackoffOptions = {}, retryAfterMs: number | null = null): number {
  const base = opts.baseMs ?? 500;
  const cap = opts.capMs ?? 60_000;
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  const jittered = Math.floor((opts.random ?? Math.random)() * ceiling);
  return retryAfterMs !== null ? Math.max(retryAfterMs, jittered) : jittered;
}
