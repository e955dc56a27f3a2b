#!/usr/bin/env node
// Runs a command under Node >= 22, whatever node started npm. better-sqlite3 13 crashes on Node 20,
// which is still the default on many machines: rather than fail there, fetch Node 22 once from the
// npm registry (the `node` package) into .tools/node22 and put it first on PATH. Plain JS on purpose:
// this file itself must run on old Node.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 22;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, '.tools', 'node22');
const binDir = join(prefix, 'node_modules', '.bin');
const bundledNode = join(binDir, process.platform === 'win32' ? 'node.cmd' : 'node');

const major = (v) => Number(String(v).replace(/^v/, '').split('.')[0]);

function probeBundledNode() {
  const r = spawnSync(bundledNode, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? major(r.stdout.trim()) : 0;
}

// One failed probe must not trigger a reinstall: on a loaded machine a start can fail once, and a reinstall
// rewrites the binary other commands may be running at that moment.
function bundledNodeMajor() {
  if (!existsSync(bundledNode)) return 0;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const found = probeBundledNode();
    if (found > 0) return found;
  }
  return 0;
}

function ensureNode22() {
  if (major(process.versions.node) >= REQUIRED_MAJOR) return null;
  if (bundledNodeMajor() >= REQUIRED_MAJOR) return binDir;
  console.error(`exception-desk: this is Node ${process.versions.node}; the project needs Node ${REQUIRED_MAJOR}.`);
  console.error(`exception-desk: installing Node ${REQUIRED_MAJOR} from the npm registry into .tools/node22 (once)...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `node@${REQUIRED_MAJOR}`], {
    // npm's report goes to stderr with ours: stdout belongs to the command, whose output callers parse.
    stdio: ['inherit', 2, 'inherit'],
    shell: process.platform === 'win32',
  });
  if (r.status !== 0 || bundledNodeMajor() < REQUIRED_MAJOR) {
    console.error(`exception-desk: could not get Node ${REQUIRED_MAJOR}. Install it yourself (e.g. from nodejs.org) and run again.`);
    process.exit(1);
  }
  return binDir;
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: node scripts/with-node22.mjs <command> [args...]');
  process.exit(2);
}
const extraBin = ensureNode22();
const env = { ...process.env };
if (extraBin) {
  const pathKey = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  env[pathKey] = `${extraBin}${delimiter}${env[pathKey] ?? ''}`;
}
const child = spawn(args[0], args.slice(1), { stdio: 'inherit', env, shell: process.platform === 'win32' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
