// The fault suites' PRNG: the demo seed's mulberry32 (server/seed/prng.ts) plus the seed it started
// from, so a fault run can be replayed exactly from its logged seed.
import { createRng, type Rng } from '../../server/seed/prng';

export interface SeededRandom extends Rng {
  readonly seed: number;
}

export function seededRandom(seed: number): SeededRandom {
  return { seed, ...createRng(seed) };
}

/**
 * The seed for a fault run: `FAULT_SEED=<n>` replays a failure, otherwise a fresh one. Always logged,
 * so the line to copy is in the test output.
 */
export function faultSeed(suite: string): number {
  const fromEnv = process.env.FAULT_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : (Date.now() ^ (process.pid << 8)) >>> 0;
  console.log(`[${suite}] seed=${seed} (replay: FAULT_SEED=${seed} npx vitest run test/core/${suite}.test.ts)`);
  return seed;
}

/** `FAULT_SCALE=<n>` multiplies the rounds of a fault suite for a longer soak (default 1, as in `npm test`). */
export function faultScale(): number {
  const n = Number(process.env.FAULT_SCALE ?? '1');
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}
