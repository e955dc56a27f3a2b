// `npm start` / `npm test` / `npm run server` go through scripts/with-node22.mjs so that a newcomer whose
// machine node is older (20 here) still runs the project on Node 22 instead of crashing better-sqlite3.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const launcher = join(process.cwd(), 'scripts', 'with-node22.mjs');
const major = (v: string) => Number(v.trim().replace(/^v/, '').split('.')[0]);

// The oldest node on this machine: Debian's when present (20 here), else the one running the tests.
const systemNode = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
const systemMajor = major(spawnSync(systemNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout);

function launch(args: string[]) {
  return spawnSync(systemNode, [launcher, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe(`with-node22 launcher (started by Node ${systemMajor})`, () => {
  it('runs the command under Node 22 or newer, whatever node started it', () => {
    const r = launch(['node', '-p', 'process.versions.node']);
    expect(r.status, r.stderr).toBe(0);
    expect(major(r.stdout)).toBeGreaterThanOrEqual(22);
  });

  it("passes the command's arguments through and returns its exit code", () => {
    const r = launch(['node', '-e', 'console.log(process.argv.slice(1).join("|")); process.exit(7)', 'a b', '--flag']);
    expect(r.status).toBe(7);
    expect(r.stdout.trim()).toBe('a b|--flag');
  });

  it('says how to use it when given no command', () => {
    const r = launch([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: node scripts\/with-node22\.mjs <command>/);
  });
});

// The install path, in a copy of the launcher beside its own empty .tools: a fake `npm` first on PATH stands in
// for the registry (it prints what npm prints and links the real Node 22), so nothing is downloaded.
describe.runIf(systemMajor < 22)('with-node22 launcher, installing Node 22', () => {
  const node22 = major(process.versions.node) >= 22 ? process.execPath : join(process.cwd(), '.tools', 'node22', 'node_modules', '.bin', 'node');
  const node22Version = spawnSync(node22, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();

  function sandbox(): { root: string; bin: string; npmCalls: string; env: NodeJS.ProcessEnv } {
    const root = mkdtempSync(join(tmpdir(), 'with-node22-'));
    mkdirSync(join(root, 'scripts'));
    copyFileSync(launcher, join(root, 'scripts', 'with-node22.mjs'));
    const bin = join(root, '.tools', 'node22', 'node_modules', '.bin');
    const fakes = join(root, 'fakes');
    mkdirSync(fakes);
    const npmCalls = join(root, 'npm-calls');
    writeExecutable(
      join(fakes, 'npm'),
      `echo "$@" >> '${npmCalls}'\nmkdir -p '${bin}' && ln -sf '${node22}' '${bin}/node'\necho "added 1 package in 2s"\n`,
    );
    return { root, bin, npmCalls, env: { ...process.env, PATH: `${fakes}${delimiter}${process.env.PATH ?? ''}` } };
  }

  function writeExecutable(path: string, body: string) {
    writeFileSync(path, `#!/bin/sh\n${body}`);
    chmodSync(path, 0o755);
  }

  function launchIn(root: string, env: NodeJS.ProcessEnv, args: string[]) {
    return spawnSync(systemNode, [join(root, 'scripts', 'with-node22.mjs'), ...args], { encoding: 'utf8', env, timeout: 60_000 });
  }

  it("keeps the installer's report off the command's stdout, which callers parse", () => {
    const { root, npmCalls, env } = sandbox();
    try {
      const r = launchIn(root, env, ['node', '-p', 'process.versions.node']);
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(npmCalls, 'utf8')).toMatch(/install --prefix .*node@22/);
      expect(r.stdout.trim()).toBe(node22Version);
      expect(r.stderr).toMatch(/added 1 package/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('does not reinstall when the installed Node fails one probe', () => {
    const { root, bin, npmCalls, env } = sandbox();
    try {
      mkdirSync(bin, { recursive: true });
      const count = join(root, 'probes');
      writeExecutable(
        join(bin, 'node'),
        `n=$(cat '${count}' 2>/dev/null || echo 0); echo $((n+1)) > '${count}'\n[ "$n" -eq 0 ] && exit 1\nexec '${node22}' "$@"\n`,
      );
      const r = launchIn(root, env, ['node', '-p', 'process.versions.node']);
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(npmCalls)).toBe(false);
      expect(r.stdout.trim()).toBe(node22Version);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
