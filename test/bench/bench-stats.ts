// Small statistics shared by the benches: percentiles over samples and min / median / max over runs.
export function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function spread(xs: readonly number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor((s.length - 1) / 2)], max: s[s.length - 1] };
}

export const ms = (x: number) => `${x.toFixed(3)} ms`;

/** The 1-minute load average, printed beside figures so a reader can judge how noisy the run was. */
export async function loadAverage(): Promise<string> {
  const { loadavg, cpus } = await import('node:os');
  return `load ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`;
}

/** `--name=a,b` or `--name a,b` from argv; sizes accept k / M suffixes (10k, 1M). */
export function sizesArg(argv: readonly string[], name: string, fallback: number[]): number[] {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const raw = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  if (!raw) throw new Error(`--${name} needs a value, e.g. --${name}=10k,100k`);
  return raw.split(',').map((part) => {
    const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(part.trim());
    if (!m) throw new Error(`--${name}: '${part}' is not a size (10000, 10k, 1M)`);
    const mult = m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1_000 : 1_000_000;
    return Math.round(Number(m[1]) * mult);
  });
}
