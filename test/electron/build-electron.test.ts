// scripts/build-electron.ts and the bundles it makes. The preload must be ONE file that requires only
// 'electron'. Then the three BUILT bundles run together against a fake Electron runtime (see
// helpers/fake-electron.ts) with the real core, the real SQLite cache and the real demo server: this is
// what exercises electron/main/index.ts, the one file that wires the real `electron` module in.
import { isBuiltin } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DESK_METHOD_NAMES } from '../../shared/desk-api';
import { CONTENT_SECURITY_POLICY } from '../../electron/common/renderer-security';
import { buildElectron } from '../../scripts/build-electron';
import { startTestServer, type TestServer } from '../helpers/server';
import { serverEvents } from '../e2e/server-records';
import { createFakeElectron, runMainBundle } from './helpers/fake-electron';

const keyring = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'kwallet6',
  encryptString: (s: string) => Buffer.from(`K6:${Buffer.from(s).toString('hex')}`),
  decryptString: (b: Buffer) => Buffer.from(b.toString().slice(3), 'hex').toString(),
};

let dir: string;
let outDir: string;
let requires: Awaited<ReturnType<typeof buildElectron>>;
let server: TestServer;
let fake: ReturnType<typeof createFakeElectron>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'desk-build-'));
  outDir = path.join(dir, 'dist', 'electron');
  const lines: string[] = [];
  requires = await buildElectron({ outDir, log: (l) => lines.push(l) });
  expect(lines).toHaveLength(3);
  mkdirSync(path.join(dir, 'dist', 'renderer'), { recursive: true });
  writeFileSync(path.join(dir, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Exception Desk</title>');
  server = await startTestServer({ seed: 'demo' });
}, 120_000);

afterAll(async () => {
  if (fake && !fake.electron.app.quitted) fake.electron.app.quit();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('build-electron', () => {
  it('writes main.cjs, preload.cjs and core.cjs; the preload requires nothing but electron', () => {
    for (const f of ['main.cjs', 'preload.cjs', 'core.cjs']) expect(existsSync(path.join(outDir, f)), f).toBe(true);
    expect(requires.preload).toEqual(['electron']);
    expect(requires.main).toContain('electron');
    // Node built-ins under either spelling ('fs' from pino, 'node:fs' from our code) are always there.
    expect(requires.main.filter((r) => !isBuiltin(r))).toEqual(['electron']);
    expect(requires.core.filter((r) => !isBuiltin(r))).toEqual(['better-sqlite3']);
    const preload = readFileSync(path.join(outDir, 'preload.cjs'), 'utf8');
    expect(preload).not.toMatch(/require\("(?!electron")[^"]+"\)/);
  });
});

describe('the built app on a fake Electron runtime (real core, real server)', () => {
  it('boots: sandbox on, app:// privileged and served with the CSP, session hardened, one hardened window', async () => {
    fake = createFakeElectron({ userData: path.join(dir, 'userData'), safeStorage: keyring });
    runMainBundle(path.join(outDir, 'main.cjs'), fake, [`--demo-server=${server.url}`]);
    expect(fake.electron.app.sandboxed).toBe(true);
    expect(fake.electron.app.singleInstanceLockAsked).toBe(true);
    expect(fake.electron.protocol.privileged).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    fake.start();
    await vi.waitFor(() => expect(fake.renderers).toHaveLength(1), { timeout: 30_000, interval: 50 });

    const res = await fake.protocolHandlers.get('app')!({ url: 'app://desk/index.html', method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await fake.protocolHandlers.get('app')!({ url: 'app://desk/%2e%2e/%2e%2e/package.json', method: 'GET' })).status).toBe(403);

    const grant = vi.fn();
    (fake.sessionHandlers.permissionRequest as (...a: unknown[]) => void)({}, 'media', grant, {});
    expect(grant).toHaveBeenCalledWith(false);

    expect(fake.windows).toHaveLength(1);
    const prefs = fake.windows[0].options.webPreferences as unknown as Record<string, unknown>;
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, preload: path.join(outDir, 'preload.cjs') });
    expect(fake.windows[0].webContents.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('the sandboxed preload exposes window.desk; main signed in to the demo as alice; the token is stored encrypted', async () => {
    const desk = fake.renderers[0].desk as unknown as Record<string, Record<string, (i?: unknown) => Promise<{ ok: boolean; value?: unknown }>>>;
    expect(Object.keys(desk).filter((k) => k !== 'on').flatMap((g) => Object.keys(desk[g]).map((v) => `${g}.${v}`)).sort()).toEqual([...DESK_METHOD_NAMES].sort());
    await vi.waitFor(async () => expect(await desk.session.get()).toMatchObject({ ok: true, value: { signedIn: true, demo: true, user: { name: expect.stringMatching(/alice/i) } } }), { timeout: 30_000 });
    const tokenFile = path.join(dir, 'userData', 'token.enc');
    expect(readFileSync(tokenFile, 'utf8')).toMatch(/^K6:/);
    expect(readFileSync(tokenFile, 'utf8')).not.toContain('demo-alice');
    expect(existsSync(path.join(dir, 'userData', 'desk-cache.sqlite'))).toBe(true);
  });

  it('window.deskFiles saves and prints to PDF through a save dialog on the desk window; Cancel writes nothing', async () => {
    const files = fake.renderers[0].deskFiles;
    expect(Object.keys(files).sort()).toEqual(['printToPdf', 'save']);
    const md = path.join(dir, 'weekly.md');
    fake.chooseSavePath(md);
    const content = '# Weekly review\n\n| queue | % |\n|---|---|\n| ap | 97 % |\n';
    expect(await files.save({ suggestedName: 'weekly.md', contentType: 'text/markdown; charset=utf-8', content })).toEqual({ status: 'saved', path: md, message: `Saved ${md}` });
    expect(readFileSync(md, 'utf8')).toBe(content);
    expect(fake.saveDialogs.at(-1)!.window).toBe(fake.windows[0]);
    const pdf = path.join(dir, 'weekly.pdf');
    fake.chooseSavePath(pdf);
    expect(await files.printToPdf({ suggestedName: 'weekly.pdf' })).toMatchObject({ status: 'saved', path: pdf });
    expect(readFileSync(pdf, 'utf8')).toMatch(/^%PDF-/);
    fake.chooseSavePath(null);
    expect(await files.save({ suggestedName: 'other.csv', contentType: 'text/csv', content: 'a,b' })).toMatchObject({ status: 'cancelled' });
    expect(existsSync(path.join(dir, 'other.csv'))).toBe(false);
  });

  it('a decision made through window.desk reaches the server; a menu command reaches the renderer', async () => {
    const desk = fake.renderers[0].desk as unknown as Record<string, Record<string, (i?: unknown) => Promise<{ ok: boolean; value: Record<string, unknown> }>>> & {
      on(e: string, l: (p: unknown) => void): () => void;
    };
    let rows: Array<{ id: string }> = [];
    await vi.waitFor(async () => {
      const page = await desk.queue.page({ limit: 3 });
      rows = (page.value as { rows: Array<{ id: string }> }).rows;
      expect(rows.length).toBeGreaterThan(0);
    }, { timeout: 30_000, interval: 200 });
    const itemId = rows[0].id;
    await desk.triage.open({ itemId });
    expect(await desk.triage.decide({ itemId, kind: 'approve' })).toMatchObject({ ok: true, value: { itemId } });
    await vi.waitFor(() => expect(serverEvents(server.dbFile, [itemId], ['decided'])).toHaveLength(1), { timeout: 30_000, interval: 200 });

    const commands: unknown[] = [];
    desk.on('app.command', (p) => commands.push(p));
    const flat = (items: Array<{ label?: string; click?: () => void; submenu?: unknown[] }>): Array<{ label?: string; click?: () => void }> =>
      items.flatMap((i) => [i, ...flat((i.submenu ?? []) as typeof items)]);
    flat(fake.menu() as never).find((i) => i.label === 'Approve')!.click!();
    await vi.waitFor(() => expect(commands).toEqual([{ command: 'decide.approve' }]));
    // powerMonitor events reach the core as labor signals; main logs any refusal, and there is none.
    const warn = vi.spyOn(console, 'warn');
    fake.electron.powerMonitor.emit('lock-screen');
    fake.electron.powerMonitor.emit('unlock-screen');
    await new Promise((r) => setTimeout(r, 300));
    expect(warn.mock.calls.flat().join('\n')).not.toMatch(/labor\.signal/);
    warn.mockRestore();
  });

  it('quitting shuts the core down cleanly before the app exits', async () => {
    fake.electron.app.quit();
    expect(fake.electron.app.quitted).toBe(false); // held until the core has closed its cache
    await vi.waitFor(() => expect(fake.electron.app.quitted).toBe(true), { timeout: 15_000 });
    expect(fake.utilities).toHaveLength(1);
    expect(fake.electron.app.exitCode).toBeNull();
    expect(fake.logs.filter((l) => l.startsWith('errorBox'))).toEqual([]);
  });
});

describe('the built app where Linux has no keyring (safeStorage basic_text)', () => {
  it('signs in for the session only, tells the user, and writes no token file', async () => {
    const userData = path.join(dir, 'userData-nokeyring');
    const noKeyring = { ...keyring, getSelectedStorageBackend: () => 'basic_text', encryptString: vi.fn(keyring.encryptString) };
    const app = createFakeElectron({ userData, safeStorage: noKeyring });
    runMainBundle(path.join(outDir, 'main.cjs'), app, [`--demo-server=${server.url}`]);
    app.start();
    await vi.waitFor(() => expect(app.renderers).toHaveLength(1), { timeout: 30_000, interval: 50 });
    const desk = app.renderers[0].desk as unknown as Record<string, Record<string, () => Promise<unknown>>>;
    expect(await desk.session.get()).toMatchObject({ ok: true, value: { signedIn: true } });
    expect(app.logs.filter((l) => l.startsWith('messageBox'))).toEqual([expect.stringMatching(/Sign-in not saved: .*this session only.*basic_text/)]);
    expect(existsSync(path.join(userData, 'token.enc'))).toBe(false);
    expect(noKeyring.encryptString).not.toHaveBeenCalled();
    app.electron.app.quit();
    await vi.waitFor(() => expect(app.electron.app.quitted).toBe(true), { timeout: 15_000 });
  });
});
