// Core and browser-mode code must run where Electron does not exist. Two guards, each proven to bite:
// 1. at run time, importing 'electron' under vitest throws (the alias in vitest.config.ts and the
//    require hook in test/setup/forbid-electron.ts), so a stray import reached from a test fails loudly;
// 2. statically, the import graphs of electron/core and electron/web (as esbuild resolves them) never
//    contain 'electron' nor electron/main or electron/preload.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');

/** Every 'electron' import reachable from the entries, and every shell-side file they pull in. */
async function electronReach(entries: string[]): Promise<{ electronImports: string[]; shellFiles: string[]; inputs: string[] }> {
  const electronImports: string[] = [];
  const spy: Plugin = {
    name: 'electron-spy',
    setup(b) {
      b.onResolve({ filter: /^electron(\/.*)?$/ }, (args) => {
        electronImports.push(`${path.relative(ROOT, args.importer)} -> ${args.path}`);
        return { path: args.path, external: true };
      });
    },
  };
  const out = await build({
    absWorkingDir: ROOT,
    entryPoints: entries,
    bundle: true,
    write: false,
    outdir: path.join(tmpdir(), 'desk-graph'),
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    plugins: [spy],
  });
  const inputs = Object.keys(out.metafile.inputs);
  return { electronImports, shellFiles: inputs.filter((p) => /^electron\/(main|preload)\//.test(p)), inputs };
}

describe('no Electron in core or browser mode', () => {
  it("importing 'electron' from a test throws instead of loading or downloading anything", async () => {
    await expect(import('electron')).rejects.toThrow(/forbidden: 'electron'/);
    const require = createRequire(import.meta.url);
    expect(() => require('electron')).toThrow(/forbidden: 'electron'/);
  });

  it('the core entry, the utility entry and the browser-mode entry load under plain Node', async () => {
    const core = await import('../../electron/core/index');
    expect(typeof core.createCore).toBe('function');
    const utility = await import('../../electron/core/utility-entry');
    expect(typeof utility.runUtility).toBe('function');
    const web = await import('../../electron/web/index');
    expect(Object.keys(web).length).toBeGreaterThan(0);
  });

  it("the import graphs of electron/core and electron/web never reach 'electron' or the shell", async () => {
    const graph = await electronReach(['electron/core/index.ts', 'electron/core/utility-entry.ts', 'electron/core/child-main.ts', 'electron/web/index.ts']);
    expect(graph.inputs.length).toBeGreaterThan(10);
    expect(graph.inputs).toContain('electron/core/index.ts');
    expect(graph.electronImports).toEqual([]);
    expect(graph.shellFiles).toEqual([]);
  });

  it('the static check catches a stray import, direct or transitive (negative control)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'desk-stray-'));
    writeFileSync(path.join(dir, 'leaf.ts'), "import { app } from 'electron';\nexport const x = app;\n");
    writeFileSync(path.join(dir, 'entry.ts'), "import { x } from './leaf';\nexport default x;\n");
    const graph = await electronReach([path.join(dir, 'entry.ts')]);
    rmSync(dir, { recursive: true, force: true });
    expect(graph.electronImports).toEqual([expect.stringMatching(/leaf\.ts -> electron$/)]);
    const shell = await electronReach(['electron/main/index.ts']);
    expect(shell.electronImports.length).toBeGreaterThan(0);
  });
});
