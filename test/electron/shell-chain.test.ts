// The whole Electron chain without the Electron binary: preload buildApi -> (fake) ipcMain -> the IPC
// wrapper -> core host -> a real MessageChannel -> the real utility entry -> the REAL core (createCore,
// SQLite cache in a tmp dir) -> the real reference server with the demo seed. Only Electron's plumbing is
// faked. Also: the token reaches main's safeStorage store encrypted, and a core that dies is restarted
// and the window is told.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DESK_IPC_CHANNELS } from '../../shared/desk-api';
import { runUtility } from '../../electron/core/utility-entry';
import { createCoreHost, type CoreHost } from '../../electron/main/core-host';
import { registerDeskIpc } from '../../electron/main/desk-ipc';
import { createIpcWrapper } from '../../electron/main/ipc-wrapper';
import { createSafeStorageSecretStore } from '../../electron/main/secret-store';
import { createShellEvents } from '../../electron/main/shell-events';
import { buildApi, type DeskApi } from '../../electron/preload/build-api';
import { startTestServer, type TestServer } from '../helpers/server';
import { FakeFrame, FakeIpcMain, FakeIpcRenderer, inProcessUtility, nodeChannel, type FakeUtility } from './helpers/fakes';

const keyring = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (s: string) => Buffer.from(`ENC:${Buffer.from(s).toString('base64').split('').reverse().join('')}`),
  decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4).split('').reverse().join(''), 'base64').toString(),
};

let server: TestServer;
let dir: string;
let host: CoreHost;
let ipcMain: FakeIpcMain;
let renderer: FakeIpcRenderer;
let api: DeskApi;
const utilities: FakeUtility[] = [];
const logs: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ seed: 'demo' });
  dir = mkdtempSync(path.join(tmpdir(), 'desk-shell-'));
  ipcMain = new FakeIpcMain();
  renderer = new FakeIpcRenderer(ipcMain, new FakeFrame('app://desk/index.html'));
  const events = createShellEvents(() => [{ isDestroyed: () => false, send: (channel, message) => renderer.deliver(channel, { sender: 'ipc-event' }, message) }]);
  host = createCoreHost({
    fork: () => {
      const u = inProcessUtility(runUtility, [`--cache-file=${path.join(dir, 'cache.sqlite')}`, `--demo-server=${server.url}`]);
      utilities.push(u);
      return u;
    },
    createChannel: nodeChannel,
    secrets: createSafeStorageSecretStore({ safeStorage: keyring, file: path.join(dir, 'userData', 'token.enc'), platform: 'linux' }),
    shellEvent: (event, payload) => events.send(event, payload),
    backoffMs: () => 10,
    log: (m) => logs.push(m),
  });
  host.start();
  registerDeskIpc(createIpcWrapper(ipcMain, { log: (m) => logs.push(m) }), host);
  api = buildApi(renderer);
});

afterAll(async () => {
  await host?.stop();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Electron shell chain (real core, real server, fake Electron)', () => {
  it('a trusted frame gets a port and reaches the real core; the demo sign-in stores the token encrypted in main', async () => {
    const before = await api.session.get();
    expect(before).toMatchObject({ ok: true, value: { signedIn: false, demoAvailable: true } });
    const signedIn = await api.session.connectDemo({ user: 'alice' });
    expect(signedIn).toMatchObject({ ok: true, value: { signedIn: true, demo: true, user: { name: expect.stringMatching(/alice/i) } } });
    const tokenFile = path.join(dir, 'userData', 'token.enc');
    await vi.waitFor(() => expect(existsSync(tokenFile)).toBe(true));
    expect(readFileSync(tokenFile, 'utf8')).not.toContain('demo-alice');
    expect(keyring.decryptString(readFileSync(tokenFile))).toBe('demo-alice');
  });

  it('decides an item through window.desk and the core answers with the next one', async () => {
    await vi.waitFor(async () => {
      const page = await api.queue.page({ limit: 5 });
      expect(page.ok && (page.value as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
    }, { timeout: 30_000, interval: 200 });
    const page = (await api.queue.page({ limit: 5 })) as { ok: true; value: { rows: Array<{ id: string }> } };
    const itemId = page.value.rows[0].id;
    expect(await api.triage.open({ itemId })).toMatchObject({ ok: true });
    const decided = await api.triage.decide({ itemId, kind: 'approve' });
    expect(decided).toMatchObject({ ok: true, value: { itemId, kind: 'approve' } });
    // Bad input is refused by the core's dispatcher, not by luck.
    expect(await api.triage.decide({ itemId, kind: 'reject', payload: {} } as never)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });

  it('main reaches the same dispatcher for labor signals', async () => {
    expect(await host.call('labor.signal', { signal: 'lock' })).toEqual({ ok: true, value: { ok: true } });
    expect(await host.call('labor.signal', { signal: 'unlock' })).toEqual({ ok: true, value: { ok: true } });
    expect(await host.call('labor.signal', { signal: 'reboot' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });

  it('untrusted frames asking to connect get no port', () => {
    const sub = new FakeIpcRenderer(ipcMain, new FakeFrame('app://desk/index.html', renderer.frame));
    const foreign = new FakeIpcRenderer(ipcMain, new FakeFrame('https://evil.example/'));
    sub.send(DESK_IPC_CHANNELS.connect, {});
    foreign.send(DESK_IPC_CHANNELS.connect, {});
    renderer.send(DESK_IPC_CHANNELS.connect, { smuggled: true });
    expect(sub.frame.posted).toEqual([]);
    expect(foreign.frame.posted).toEqual([]);
    expect(logs.filter((l) => /refused/.test(l)).length).toBeGreaterThanOrEqual(3);
  });

  it('when the core process dies it is restarted, the window is told and gets a new port, and the session survives', async () => {
    const restarted = vi.fn();
    api.on('core.restarted', restarted);
    const portsBefore = renderer.frame.posted.length;
    // The child exits on its own (as a crash would) after closing the cache cleanly, so the new core can lock it.
    utilities[0].postMessage({ type: 'shutdown' });
    await vi.waitFor(() => expect(restarted).toHaveBeenCalledOnce(), { timeout: 20_000 });
    expect(restarted.mock.calls[0][0]).toMatchObject({ restarts: 1, gaveUp: false, reason: expect.stringMatching(/exited with code 0/) });
    expect(renderer.frame.posted.length).toBe(portsBefore + 1);
    expect(utilities).toHaveLength(2);
    // The token comes back from main's encrypted store into the new core.
    await vi.waitFor(async () => expect(await api.session.get()).toMatchObject({ ok: true, value: { signedIn: true, user: { name: expect.stringMatching(/alice/i) } } }), { timeout: 20_000 });
    expect(await api.stats.today()).toMatchObject({ ok: true });
  });
});
