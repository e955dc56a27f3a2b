// npm runs the project's scripts (`npm start` above all) on Node 22 from the `node` dev dependency, not on the
// machine's own node: npm puts node_modules/.bin first on its scripts' PATH, and that package's bin is Node 22.
// A machine whose node is older (20 here) then pays no hand-over from it to Node 22 inside `npm start`
// (~180 ms of the start, issue 15 gap 4). Checked the way a reviewer's shell runs npm: PATH without the
// .tools/node22 that `npm test` put first, so npm itself runs on the machine's node.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const major = (v: string) => Number(v.trim().replace(/^v/, '').split('.')[0]);

function reviewerShellPath(): string {
  return (process.env.PATH ?? '').split(delimiter)
    .filter((dir) => !dir.includes(`${sep}.tools${sep}node22${sep}`) && !dir.startsWith(join(ROOT, 'node_modules')))
    .join(delimiter);
}

/** `npm exec -c <command>` in the project, as a reviewer's shell would run it; its stdout, trimmed. */
function npmExec(command: string): string {
  const r = spawnSync('npm', ['exec', '-c', command], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH: reviewerShellPath() },
  });
  expect(r.status, `npm exec -c ${command}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
}

describe('the node npm runs the scripts on', () => {
  it('is a dev dependency of Node 22', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(major(pkg.devDependencies.node.replace(/^[\^~]/, ''))).toBe(22);
  });

  it("is that package's Node 22, first on the scripts' PATH, whatever the machine's node is", () => {
    expect(major(npmExec('node -p process.versions.node'))).toBeGreaterThanOrEqual(22);
    const found = npmExec(process.platform === 'win32' ? 'where node' : 'command -v node').split(/\r?\n/)[0];
    expect(realpathSync(found)).toBe(realpathSync(join(ROOT, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node')));
  });
});
