// What `npm run build` and `npm start` build, and whether it is up to date. A step is stale when any
// of its inputs is newer than the oldest of its outputs. Steps run as child processes so their
// progress shows on the terminal and a failure stops the build with the tool's own message.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const RENDERER_OUT = join(ROOT, 'dist', 'renderer');
export const ELECTRON_OUT = join(ROOT, 'dist', 'electron');
export const ELECTRON_BUILD_SCRIPT = join(ROOT, 'scripts', 'build-electron.ts');

export type BuildStep = {
  name: string;
  inputs: string[];
  outputs: string[];
  command: string[];
  /** Set over the caller's environment for the step. */
  env?: Record<string, string>;
};

export const rendererStep: BuildStep = {
  name: 'renderer (vite)',
  inputs: ['renderer', 'shared', 'vite.config.ts', 'package.json'].map((p) => join(ROOT, p)),
  outputs: [join(RENDERER_OUT, 'index.html')],
  command: [process.execPath, join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'],
  // Always React's production build: a build started from a test run inherited NODE_ENV=test and wrote the
  // development runtime (jsxDEV, console.createTask per element, ~3x the render cost), which npm start and the
  // UI bench then took as up to date.
  env: { NODE_ENV: 'production' },
};

export const electronStep: BuildStep = {
  name: 'electron (esbuild)',
  inputs: ['electron/main', 'electron/preload', 'electron/core', 'shared', 'scripts/build-electron.ts', 'package.json'].map((p) => join(ROOT, p)),
  outputs: ['main.cjs', 'preload.cjs', 'core.cjs'].map((f) => join(ELECTRON_OUT, f)),
  command: [process.execPath, '--import', 'tsx', ELECTRON_BUILD_SCRIPT],
};

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function isStale(step: BuildStep): boolean {
  if (step.outputs.some((o) => !existsSync(o))) return true;
  const oldestOutput = Math.min(...step.outputs.map((o) => statSync(o).mtimeMs));
  return step.inputs.some((i) => newestMtime(i) > oldestOutput);
}

export function runStep(step: BuildStep, quiet = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = step.command;
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...step.env }, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`build step '${step.name}' failed (${signal ?? `exit ${code}`})${output ? `:\n${output.slice(-4000)}` : ''}`));
    });
  });
}
