// Bundles the Electron side with esbuild (scripts/build.ts runs it after the vite renderer build):
//   electron/main/index.ts         -> dist/electron/main.cjs     (Node, CommonJS; electron + better-sqlite3 external)
//   electron/preload/index.ts      -> dist/electron/preload.cjs  (ONE CommonJS file: a sandboxed preload can
//                                                                  require only 'electron', so zod and shared are inlined)
//   electron/core/utility-entry.ts -> dist/electron/core.cjs     (the core's utilityProcess; plain Node)
// Usage: tsx scripts/build-electron.ts [--out dist/electron] [--dev]
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Electron 45 ships Node 22 and Chromium 142. */
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome140';

export interface ElectronBundle {
  name: 'main' | 'preload' | 'core';
  entry: string;
  outfile: string;
  platform: 'node' | 'browser';
  external: string[];
}

export function electronBundles(outDir = path.join(ROOT, 'dist', 'electron')): ElectronBundle[] {
  return [
    { name: 'main', entry: 'electron/main/index.ts', outfile: path.join(outDir, 'main.cjs'), platform: 'node', external: ['electron', 'better-sqlite3'] },
    { name: 'preload', entry: 'electron/preload/index.ts', outfile: path.join(outDir, 'preload.cjs'), platform: 'browser', external: ['electron'] },
    { name: 'core', entry: 'electron/core/utility-entry.ts', outfile: path.join(outDir, 'core.cjs'), platform: 'node', external: ['electron', 'better-sqlite3'] },
  ];
}

/** Bare modules a bundle still requires at run time (what esbuild left external). */
export function runtimeRequires(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const out of Object.values(metafile.outputs)) {
    for (const imp of out.imports) if (imp.external) found.add(imp.path);
  }
  return [...found].sort();
}

export interface BuildElectronOptions {
  outDir?: string;
  dev?: boolean;
  log?: (line: string) => void;
}

export async function buildElectron(opts: BuildElectronOptions = {}): Promise<Record<ElectronBundle['name'], string[]>> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const result = {} as Record<ElectronBundle['name'], string[]>;
  for (const b of electronBundles(opts.outDir)) {
    const started = Date.now();
    const options: BuildOptions = {
      absWorkingDir: ROOT,
      entryPoints: [path.join(ROOT, b.entry)],
      outfile: b.outfile,
      bundle: true,
      format: 'cjs',
      platform: b.platform,
      target: b.platform === 'node' ? NODE_TARGET : CHROME_TARGET,
      external: b.external,
      // CommonJS all the way: a lazy import('electron') becomes require('electron'), which every Electron loads.
      supported: { 'dynamic-import': false },
      sourcemap: opts.dev ? 'inline' : 'linked',
      minify: !opts.dev,
      legalComments: 'linked',
      metafile: true,
      logLevel: 'warning',
      define: { 'process.env.NODE_ENV': JSON.stringify(opts.dev ? 'development' : 'production') },
    };
    const out = await build(options);
    const requires = runtimeRequires(out.metafile!);
    // Node's built-ins are there at run time under either spelling (pino asks for 'fs', not 'node:fs').
    const stray = requires.filter((r) => !b.external.includes(r) && !(b.platform === 'node' && isBuiltin(r)));
    if (stray.length) throw new Error(`${b.name} bundle requires ${stray.join(', ')} at run time; only ${b.external.join(', ')} may stay external`);
    result[b.name] = requires;
    log(`electron: ${b.name.padEnd(7)} -> ${path.relative(ROOT, b.outfile)} (${Date.now() - started} ms; requires ${requires.join(', ') || 'nothing'})`);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outIdx = process.argv.indexOf('--out');
  buildElectron({ outDir: outIdx > 0 ? path.resolve(process.argv[outIdx + 1]) : undefined, dev: process.argv.includes('--dev') }).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
