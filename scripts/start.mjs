#!/usr/bin/env node
// `npm start` (package.json) runs this file: it runs scripts/start.ts as a prebuilt esbuild bundle
// (dist/start.mjs: the start script, the reference server and the desk core in one file) under Node 22,
// instead of compiling TypeScript with tsx on every launch. The bundle is rebuilt only when one of its
// inputs changed (scripts/prebuilt.mjs), so a warm start pays a stat per input file and nothing else.
//
// Node: when the running node is 22 or newer the bundle runs in this process. Under `npm start` it is: the
// `node` dev dependency (Node 22 from the npm registry) is node_modules/.bin/node, which npm puts first on
// PATH for its scripts, so a machine whose own node is older pays no second process start (~180 ms here,
// issue 15 gap 4). Run by hand on an older node (or installed without dev dependencies), this file hands
// over to that Node 22, or to the one scripts/with-node22.mjs keeps in .tools/node22 (installed there once,
// by with-node22.mjs itself, when missing). Plain JavaScript on purpose: this file must run on old Node.
//
// The bundle is never the main script: scripts/build.ts and server/cli.ts run their command line when
// `import.meta.url` equals process.argv[1], and inside a bundle every module's import.meta.url is the
// bundle's. This file stays argv[1] (in the Node 22 child too), so those checks stay false.
//
// `--timings` prints the startup trace (named marks from process start; scripts/startup-trace.ts). The marks
// taken here travel to the bundle in DESK_STARTUP_TRACE.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildBundle, staleReason } from './prebuilt.mjs';

const REQUIRED_MAJOR = 22;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
// One level under the root: the bundled modules resolve '../package.json' and `import.meta.dirname + '/..'`
// (server/version.ts, scripts/build-steps.ts) from the bundle's folder, as they do from their own.
export const START_BUNDLE = join(ROOT, 'dist', 'start.mjs');

const now = () => performance.timeOrigin + performance.now();
const inherited = process.env.DESK_STARTUP_TRACE ? JSON.parse(process.env.DESK_STARTUP_TRACE) : null;
const trace = inherited ?? { origin: performance.timeOrigin, marks: [] };
const mark = (name) => { const c = process.cpuUsage(); trace.marks.push({ name, at: now(), cpu: (c.user + c.system) / 1000, pid: process.pid }); };
mark(inherited ? 'launcher on Node 22' : 'launcher running');

const major = (v) => Number(String(v).replace(/^v/, '').split('.')[0]);

/** esbuild options of the start bundle; their text (with esbuild's version) is the bundle's recipe. */
function startBundleOptions() {
  return {
    entryPoints: [join(ROOT, 'scripts', 'start.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // The native addon loads from node_modules; pg-native is pg's optional native driver, never installed here.
    external: ['better-sqlite3', 'pg-native'],
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __deskCreateRequire } from 'node:module'; const require = __deskCreateRequire(import.meta.url);" },
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'error',
  };
}

async function ensureStartBundle() {
  const options = startBundleOptions();
  const esbuildVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
  const recipe = JSON.stringify({ esbuild: esbuildVersion, options: { ...options, entryPoints: ['scripts/start.ts'] } });
  const reason = staleReason(ROOT, START_BUNDLE, recipe);
  if (reason === null) return mark('start bundle fresh');
  console.log(`start: building the start bundle (${reason})...`);
  const t0 = now();
  const built = await buildBundle({ root: ROOT, outfile: START_BUNDLE, recipe, options });
  console.log(`start: start bundle built from ${built.inputs} files in ${Math.round(now() - t0)} ms`);
  mark('start bundle built');
}

/**
 * A Node 22 binary already here: the `node` dev dependency's, else the one with-node22.mjs keeps (version read
 * from its package, no spawn; the binary must exist: an install that skipped the package's own install script
 * has none).
 */
function keptNode22() {
  for (const pkgDir of [join(ROOT, 'node_modules', 'node'), join(ROOT, '.tools', 'node22', 'node_modules', 'node')]) {
    try {
      const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
      const bin = join(pkgDir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
      if (major(version) >= REQUIRED_MAJOR && existsSync(bin)) return bin;
    } catch {
      // not installed there
    }
  }
  return null;
}

function handOver(command, args) {
  const child = spawn(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DESK_STARTUP_TRACE: JSON.stringify(trace), DESK_START_BUNDLE_CHECKED: '1' },
    shell: process.platform === 'win32',
  });
  // Ctrl+C reaches the whole process group; the child shuts down on its own signal, this one waits for it.
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

async function main() {
  const args = process.argv.slice(2);
  if (process.env.DESK_START_BUNDLE_CHECKED !== '1') await ensureStartBundle();
  if (major(process.versions.node) < REQUIRED_MAJOR) {
    const node22 = keptNode22();
    // No kept Node 22 yet: with-node22.mjs installs it, then runs this file with it.
    if (node22) handOver(node22, [SELF, ...args]);
    else handOver(process.execPath, [join(ROOT, 'scripts', 'with-node22.mjs'), 'node', SELF, ...args]);
    return;
  }
  // V8's compile cache keeps the bundle's compiled code between launches (Node 22.1+).
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.(join(ROOT, 'dist', '.compile-cache'));
  mark('loading the start bundle');
  process.env.DESK_STARTUP_TRACE = JSON.stringify(trace);
  await import(pathToFileURL(START_BUNDLE).href);
}

main().catch((e) => {
  console.error(`start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
