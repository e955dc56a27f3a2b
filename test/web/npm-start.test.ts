// `npm start` as a newcomer runs it (no Electron binary on this machine): it builds what is missing,
// seeds a demo server under the app-data folder, serves the desk signed in as alice, shuts down cleanly
// on Ctrl+C (SIGINT), and finds its data again on the next start. It runs what package.json's `start` runs:
// scripts/start.mjs, which runs scripts/start.ts as a prebuilt bundle (built here when missing or stale).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionInfo, SyncStatus } from '../../shared/desk-api';
import { rawRequest, rpc } from './http-client';

const ROOT = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'desk-npm-start-'));
const running: ChildProcess[] = [];

function start(args: string[] = []): { child: ChildProcess; output: () => string; launchUrl: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--no-open', ...args], {
    cwd: ROOT,
    env: { ...process.env, EXCEPTION_DESK_DATA_DIR: dataDir, BROWSER: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const launchUrl = new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#launch=[A-Za-z0-9_-]+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`npm start exited (${code}) before serving:\n${out}`)));
  });
  launchUrl.catch(() => undefined); // a test that expects a refusal never awaits the URL
  return { child, output: () => out, launchUrl, exited };
}

afterAll(() => {
  for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function signedInDesk(launchUrl: string): Promise<{ port: number; token: string }> {
  const url = new URL(launchUrl);
  const port = Number(url.port);
  const token = new URLSearchParams(url.hash.slice(1)).get('launch')!;
  const page = await rawRequest({ port, path: '/' });
  expect(page.status).toBe(200);
  expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  const session = (rpc(port, token, 'session.get', {}));
  const body = (await session).json() as { ok: true; value: SessionInfo };
  expect(body.value).toMatchObject({ signedIn: true, demo: true, user: { id: 'alice' } });
  return { port, token };
}

describe('npm start (browser mode)', () => {
  it('serves a desk signed in as alice on a new demo database, and stops cleanly on SIGINT', async () => {
    const run = start();
    const desk = await signedInDesk(await run.launchUrl);
    expect(run.output()).toMatch(/Electron is not available/);
    expect(run.output()).toMatch(/new database, demo data seeded/);
    const status = async () => ((await rpc(desk.port, desk.token, 'sync.status', {})).json() as { value: SyncStatus }).value;
    await expect.poll(async () => (await status()).assigned, { timeout: 30_000 }).toBeGreaterThan(0);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/shutting down/);
    await expect(rawRequest({ port: desk.port, path: '/' })).rejects.toThrow();
    expect(existsSync(join(dataDir, 'demo-central.sqlite'))).toBe(true);
    // The rotating logs (pino-roll, from the start bundle) of the core and the demo server.
    const logs = readdirSync(join(dataDir, 'logs'));
    const core = logs.find((f) => /^core\.\d+\.log$/.test(f));
    expect(core, logs.join(', ')).toBeDefined();
    expect(readFileSync(join(dataDir, 'logs', core!), 'utf8')).toMatch(/"msg":"core ready"/);
    expect(logs.some((f) => /^server\.\d+\.log$/.test(f)), logs.join(', ')).toBe(true);
  });

  it('finds its data again on the next start (no second seed), and prints its startup trace with --timings', async () => {
    const run = start(['--timings']);
    const desk = await signedInDesk(await run.launchUrl);
    await expect.poll(() => run.output(), { timeout: 10_000 }).toMatch(/startup trace/);
    // Browser mode listens (and prints its URL) before the cache and the sign-in: the page loads meanwhile. On an
    // existing demo database the desk signs in from its cache and the demo server starts after the first item.
    const marks = ['launcher running', 'start script running', 'build checked', 'browser mode listening', 'desk core loaded', 'desk core open', 'signed in', 'desk core serving'];
    const trace = run.output().slice(run.output().indexOf('startup trace'));
    const at = marks.map((m) => trace.search(new RegExp(`  ${m}   \\(cpu \\d+ ms in process \\d+\\)\n`)));
    expect(at.every((i) => i >= 0), trace).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    // The renderer's mark (in a browser, after the frame that shows the first item) ends the trace.
    // No sync before the demo server listens, and the server waits for this mark: any sync after it is this run's.
    const since = new Date().toISOString();
    expect((await rpc(desk.port, desk.token, 'app.startupMark', { name: 'first item painted' })).json()).toEqual({ ok: true, value: { ok: true } });
    await expect.poll(() => run.output(), { timeout: 10_000 }).toMatch(/\d+ +\+ *\d+ +first item painted +\(cpu \d+ ms in process \d+\)\n/);
    expect(trace).not.toMatch(/demo server listening/);
    // Then the demo server starts, and the held sync reaches it.
    await expect.poll(() => run.output(), { timeout: 10_000 }).toMatch(/demo central API at http:\/\/127\.0\.0\.1:\d+ \(existing database/);
    const status = async () => ((await rpc(desk.port, desk.token, 'sync.status', {})).json() as { value: SyncStatus }).value;
    await expect.poll(async () => { const s = await status(); return s.state === 'online' && s.lastError === null && (s.lastSyncAt ?? '') > since; }, { timeout: 30_000 }).toBe(true);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('refuses a --server that is not a URL, with a clear message', async () => {
    const run = start(['--server', 'not a url']);
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/--server 'not a url' is not a URL/);
  });
});
