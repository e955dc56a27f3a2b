// The start bundle's freshness check (scripts/prebuilt.mjs): a warm start runs the cached bundle, and a
// stale bundle never runs: a changed, removed or re-versioned input, another recipe or a bundle that is not
// the one the manifest describes each ask for a rebuild; a touch that keeps the content does not.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildBundle, INSTALLED_PACKAGES, manifestPath, staleReason } from '../../scripts/prebuilt.mjs';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const RECIPE = 'recipe-1';
let root = '';
let outfile = '';

/** Files written a minute ago, so none counts as written while esbuild ran. */
function writeOld(file: string, text: string): void {
  writeFileSync(file, text);
  const past = Date.now() / 1000 - 60;
  utimesSync(file, past, past);
}

async function build(): Promise<void> {
  await buildBundle({ root, outfile, recipe: RECIPE, options: { entryPoints: [join(root, 'src', 'main.ts')], bundle: true, platform: 'node', format: 'esm', logLevel: 'silent' } });
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'desk-prebuilt-'));
  dirs.push(root);
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true });
  writeOld(join(root, 'src', 'main.ts'), "import { greet } from './greet';\nimport dep from 'dep';\nconsole.log(greet('desk') + dep);\n");
  writeOld(join(root, 'src', 'greet.ts'), "export const greet = (who: string): string => `hello ${who}`;\n");
  writeOld(join(root, 'node_modules', 'dep', 'package.json'), '{"name":"dep","main":"index.js"}');
  writeOld(join(root, 'node_modules', 'dep', 'index.js'), 'module.exports = "!";\n');
  writeOld(INSTALLED_PACKAGES(root), '{"lockfileVersion":3}');
  outfile = join(root, 'dist', 'main.mjs');
  await build();
});

describe('prebuilt bundles', () => {
  it('runs what it bundled, and is fresh right after the build', () => {
    expect(spawnSync(process.execPath, [outfile], { encoding: 'utf8' }).stdout).toBe('hello desk!\n');
    expect(staleReason(root, outfile, RECIPE)).toBeNull();
  });

  it('lists the sources one by one and the installed packages as npm\'s hidden lockfile', () => {
    const inputs = Object.keys((JSON.parse(readFileSync(manifestPath(outfile), 'utf8')) as { inputs: Record<string, unknown> }).inputs).sort();
    expect(inputs).toEqual(['node_modules/.package-lock.json', 'src/greet.ts', 'src/main.ts']);
  });

  it('stays fresh when a file is touched but its content is the same', () => {
    writeFileSync(join(root, 'src', 'greet.ts'), readFileSync(join(root, 'src', 'greet.ts')));
    expect(staleReason(root, outfile, RECIPE)).toBeNull();
  });

  it('is stale when a source changes, even with the same size and mtime kept by hand', () => {
    const file = join(root, 'src', 'greet.ts');
    writeOld(file, readFileSync(file, 'utf8').replace('hello', 'howdy'));
    expect(staleReason(root, outfile, RECIPE)).toBe('src/greet.ts changed');
    writeFileSync(file, readFileSync(file, 'utf8').replace('howdy', 'hi'));
    expect(staleReason(root, outfile, RECIPE)).toBe('src/greet.ts changed');
  });

  it('is stale when an input is gone, the packages were reinstalled, the recipe differs, or the bundle was replaced', async () => {
    rmSync(join(root, 'src', 'greet.ts'));
    expect(staleReason(root, outfile, RECIPE)).toBe('src/greet.ts is gone');
    writeOld(join(root, 'src', 'greet.ts'), "export const greet = (who: string): string => `hello ${who}`;\n");
    await build();
    appendFileSync(INSTALLED_PACKAGES(root), '\n');
    expect(staleReason(root, outfile, RECIPE)).toBe('node_modules/.package-lock.json changed');
    await build();
    expect(staleReason(root, outfile, 'recipe-2')).toBe('the build recipe changed');
    appendFileSync(outfile, '// edited\n');
    expect(staleReason(root, outfile, RECIPE)).toBe('the bundle is not the one its manifest describes');
    rmSync(outfile);
    expect(staleReason(root, outfile, RECIPE)).toBe('no bundle yet');
    rmSync(manifestPath(outfile));
    expect(staleReason(root, outfile, RECIPE)).toBe('no bundle yet');
  });

  it('never trusts a file written while esbuild ran: the next check rebuilds', async () => {
    writeFileSync(join(root, 'src', 'greet.ts'), "export const greet = (who: string): string => `hey ${who}`;\n");
    await build();
    expect(staleReason(root, outfile, RECIPE)).toBe('src/greet.ts changed');
  });
});
