// A small seeded PRNG (mulberry32) so a fault run can be replayed exactly from its logged seed.

export interface SeededRandom {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)];
    },
    chance: (p) => next() < p,
  };
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
