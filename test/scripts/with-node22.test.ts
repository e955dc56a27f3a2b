// `npm start` / `npm test` / `npm run server` go through scripts/with-node22.mjs so that a newcomer whose
// machine node is older (20 here) still runs the project on Node 22 instead of crashing better-sqlite3.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
