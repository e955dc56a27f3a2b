// Kill the whole `npm start` (SIGKILL to its process group) in the middle of a shift, twice, online and
// offline (issue 8, items 2 and 3): the desk reopens on its queue each time, in the real browser, and every
// decision the desk acknowledged reaches the server exactly once. Before the fix the embedded demo server's
// new port made the restart refuse ("this cache holds N unsynced decisions"), and a restart without the
// server opened on an empty sign-in screen.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo, SyncStatus } from '../../shared/desk-api';
import { spawnServer, type SpawnedServer } from '../helpers/server';
import { rpc } from '../web/http-client';
import { launchChromium } from './harness';

const ROOT = join(import.meta.dirname, '..', '..');
const running: ChildProcess[] = [];
const dirs: string[] = [];
let browser: Browser;

beforeAll(async () => { browser = await launchChromium(); }, 180_000);
afterAll(async () => {
  await browser?.close();
  for (const c of running) if (c.exitCode === null && c.signalCode === null) try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Run { child: ChildProcess; port: number; token: string; output: () => string }

/** `npm start` in its own process group, so a kill reaches every process it started. */
async function npmStart(dataDir: string, args: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start.ts'), '--no-open', ...args], {
    cwd: ROOT, detached: true,
    env: { ...process.env, EXCEPTION_DESK_DATA_DIR: dataDir, BROWSER: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  const launchUrl = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#launch=[A-Za-z0-9_-]+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before serving:\n${out}`)));
  });
  const url = new URL(launchUrl);
  return { child, port: Number(url.port), token: new URLSearchParams(url.hash.slice(1)).get('launch')!, output: () => out };
}

async function killAll(run: Run): Promise<void> {
  const gone = new Promise((r) => run.child.once('exit', r));
  process.kill(-run.child.pid!, 'SIGKILL');
  await gone;
}

async function call<T>(run: Run, method: string, input: unknown = {}): Promise<T> {
  const body = (await rpc(run.port, run.token, method, input)).json() as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.value;
}

/** Decides `n` items in triage order; only decisions the desk answered ok count as acknowledged. */
async function decide(run: Run, n: number, acknowledged: string[]): Promise<void> {
  let itemId = (await call<{ itemId: string | null }>(run, 'triage.next', { fromItemId: null })).itemId;
  for (let i = 0; i < n && itemId; i++) {
    const out = await call<{ nextItemId: string | null }>(run, 'triage.decide', { itemId, kind: 'approve' });
    acknowledged.push(itemId);
    itemId = out.nextItemId;
  }
}

/** The real renderer opens on the triage view with an item in focus. */
async function opensOnQueue(run: Run): Promise<void> {
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${run.port}/#launch=${run.token}`);
    await page.waitForFunction(() => document.body.dataset.view === 'triage' && !!document.body.dataset.focusedItemId, undefined, { timeout: 30_000 });
  } finally {
    await page.close();
  }
}

function decisionsBy(dbFile: string, user: string): Map<string, number> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const rows = db.prepare('SELECT item_id, COUNT(*) AS n FROM decisions WHERE by = ? GROUP BY item_id').all(user) as { item_id: string; n: number }[];
    return new Map(rows.map((r) => [r.item_id, r.n]));
  } finally {
    db.close();
  }
}

const status = (run: Run) => call<SyncStatus>(run, 'sync.status');

async function syncedAll(run: Run): Promise<void> {
  await expect.poll(async () => {
    const s = await call<SyncStatus>(run, 'sync.now');
    return `${s.state}/${s.pending}/${s.conflicts}`;
  }, { timeout: 60_000, interval: 250 }).toBe('online/0/0');
}

describe('npm start killed mid-shift', () => {
  it('online (embedded demo server): killed twice, reopens on its queue each time, every acknowledged decision lands once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'desk-kill-online-'));
    dirs.push(dataDir);
    const acknowledged: string[] = [];
    let run = await npmStart(dataDir);
    await expect.poll(async () => (await status(run)).assigned, { timeout: 60_000 }).toBeGreaterThan(10);
    for (let round = 0; round < 2; round++) {
      await decide(run, 6, acknowledged);
      await killAll(run);
      run = await npmStart(dataDir);
      expect(run.output()).not.toMatch(/unsynced decision/);
      const session = await call<SessionInfo>(run, 'session.get');
      expect(session).toMatchObject({ signedIn: true, user: { id: 'alice' } });
      await opensOnQueue(run);
    }
    await syncedAll(run);
    await killAll(run);
    const landed = decisionsBy(join(dataDir, 'demo-central.sqlite'), 'alice');
    expect([...landed.keys()].sort()).toEqual([...acknowledged].sort());
    expect([...landed.values()].every((n) => n === 1)).toBe(true);
  }, 300_000);

  it('offline (--server down): killed twice, reopens on its queue without the server, syncs each decision once when it returns', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'desk-kill-offline-'));
    dirs.push(dataDir);
    const dbFile = join(dataDir, 'central.sqlite');
    let server: SpawnedServer = await spawnServer({ dbFile, seed: 'demo' });
    const serverUrl = server.url;
    const acknowledged: string[] = [];
    let run = await npmStart(dataDir, ['--server', serverUrl]);
    await call(run, 'session.connect', { serverUrl, token: 'demo-alice' });
    await expect.poll(async () => (await status(run)).assigned, { timeout: 60_000 }).toBeGreaterThan(10);
    await decide(run, 3, acknowledged);
    await server.kill('SIGKILL');
    for (let round = 0; round < 2; round++) {
      await decide(run, 4, acknowledged);
      await killAll(run);
      run = await npmStart(dataDir, ['--server', serverUrl]);
      // Browser mode keeps no token: the desk opens on its cache, says so, and works offline.
      const session = await call<SessionInfo>(run, 'session.get');
      expect(session).toMatchObject({ signedIn: true, needsToken: true, serverUrl, user: { id: 'alice' } });
      expect((await status(run)).assigned).toBeGreaterThan(0);
      await opensOnQueue(run);
      // The token, entered while the server is still down, is taken provisionally.
      await call(run, 'session.connect', { serverUrl, token: 'demo-alice' });
    }
    server = await spawnServer({ dbFile, port: Number(new URL(serverUrl).port) });
    await syncedAll(run);
    await killAll(run);
    await server.kill('SIGTERM');
    const landed = decisionsBy(dbFile, 'alice');
    expect([...landed.keys()].sort()).toEqual([...acknowledged].sort());
    expect([...landed.values()].every((n) => n === 1)).toBe(true);
  }, 300_000);
});
