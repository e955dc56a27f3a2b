// `npm run bench -- <name> [...]`: runs test/bench/<name>.bench.ts, which prints its figures and their
// ratios to a baseline measured in the same run. Benches are never part of `npm test`.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', ''));
// Bench names are words; anything else (flags and their values, e.g. `--items 10k,100k`) is for the benches.
const wanted = process.argv.slice(2).filter((a) => /^[a-z][a-z-]*$/.test(a));
const names = wanted.length > 0 ? wanted : available;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`unknown bench '${name}'; available: ${available.join(', ') || '(none yet)'}`);
    process.exit(2);
  }
}
for (const name of names) {
  console.log(`\n== bench: ${name} ==`);
  const mod = (await import(pathToFileURL(join(here, `${name}.bench.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') throw new Error(`${name}.bench.ts must export async function run()`);
  await mod.run();
}
