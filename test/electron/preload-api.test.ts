// buildApi over a fake ipcRenderer: the exposed verbs are exactly the contract's methods grouped by
// feature, calls travel over the MessagePort main hands over, listeners never see an event object, and
// unknown groups, verbs and events throw. buildDeskFiles: window.deskFiles validates before it invokes and
// answers every outcome in words.
import { describe, expect, it, vi } from 'vitest';
import { DESK_IPC_CHANNELS, DESK_METHOD_NAMES, deskEvents, shellEvents } from '../../shared/desk-api';
import { buildApi, buildDesk, groupMethods, type RendererPortLike } from '../../electron/preload/build-api';
import { buildDeskFiles } from '../../electron/preload/desk-files-api';
import { DESK_FILES_CHANNELS } from '../../shared/desk-files';
import { FakeIpcRenderer } from './helpers/fakes';

type NodePort = import('node:worker_threads').MessagePort;

/** A core double on the far side of a real MessageChannel: echoes calls and can push events. */
function fakeCore() {
  const { port1, port2 } = new MessageChannel() as unknown as { port1: NodePort; port2: NodePort };
  const calls: Array<{ method: string; input: unknown }> = [];
  port1.on('message', (m: { id: number; method: string; input: unknown }) => {
    calls.push({ method: m.method, input: m.input });
    port1.postMessage({ id: m.id, result: { ok: true, value: { method: m.method, input: m.input } } });
  });
  return { rendererPort: port2 as unknown as RendererPortLike, corePort: port1, calls };
}

describe('buildApi', () => {
  it('exposes exactly DESK_METHOD_NAMES, grouped by feature, plus on()', () => {
    const api = buildApi(new FakeIpcRenderer());
    const exposed = Object.entries(api)
      .filter(([k]) => k !== 'on')
      .flatMap(([group, verbs]) => Object.keys(verbs).map((v) => `${group}.${v}`));
    expect(exposed.sort()).toEqual([...DESK_METHOD_NAMES].sort());
    expect(Object.keys(api).sort()).toEqual([...Object.keys(groupMethods()), 'on'].sort());
    expect(typeof api.triage.decide).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api.session)).toBe(true);
  });

  it('the contextBridge copy has the same shape and no raw ipc', () => {
    const { bridgeable } = buildDesk(new FakeIpcRenderer());
    for (const name of DESK_METHOD_NAMES) {
      const [g, v] = name.split('.');
      expect(typeof bridgeable[g][v]).toBe('function');
    }
    expect(JSON.stringify(Object.keys(bridgeable))).not.toMatch(/ipc|send|invoke|port/i);
  });

  it('throws on unknown groups, verbs and events', () => {
    const api = buildApi(new FakeIpcRenderer());
    expect(() => (api as unknown as Record<string, unknown>).fs).toThrow(/unknown method group "fs"/);
    expect(() => (api.session as Record<string, unknown>).deleteEverything).toThrow(/unknown .*"deleteEverything"/);
    expect(() => api.on('ipc.raw', () => {})).toThrow(/unknown event "ipc.raw"/);
    expect(() => api.on('sync.status', 'nope' as never)).toThrow(/listener must be a function/);
  });

  it('asks main for a port, queues calls until it arrives, then carries them over the port', async () => {
    const ipc = new FakeIpcRenderer();
    const api = buildApi(ipc);
    expect(ipc.sent).toEqual([{ channel: DESK_IPC_CHANNELS.connect, args: [{}] }]);
    const early = api.session.get();
    const core = fakeCore();
    ipc.deliver(DESK_IPC_CHANNELS.port, { ports: [core.rendererPort] });
    await expect(early).resolves.toEqual({ ok: true, value: { method: 'session.get', input: {} } });
    const decide = await api.triage.decide({ itemId: 'it-1', kind: 'approve' });
    expect(decide).toEqual({ ok: true, value: { method: 'triage.decide', input: { itemId: 'it-1', kind: 'approve' } } });
    expect(core.calls.map((c) => c.method)).toEqual(['session.get', 'triage.decide']);
    core.corePort.close();
  });

  it('listeners get the payload only, never the event object, for core and shell events', async () => {
    const ipc = new FakeIpcRenderer();
    const api = buildApi(ipc);
    const core = fakeCore();
    ipc.deliver(DESK_IPC_CHANNELS.port, { ports: [core.rendererPort] });
    const onSync = vi.fn();
    const onCmd = vi.fn();
    const off = api.on('sync.status', onSync);
    api.on('app.command', onCmd);
    core.corePort.postMessage({ event: 'sync.status', payload: { state: 'online' } });
    ipc.deliver(DESK_IPC_CHANNELS.shellEvent, { sender: 'ipc-event', ports: [] }, { event: 'app.command', payload: { command: 'decide.approve' } });
    await vi.waitFor(() => expect(onSync).toHaveBeenCalledOnce());
    expect(onSync.mock.calls[0]).toEqual([{ state: 'online' }]);
    expect(onCmd.mock.calls).toEqual([[{ command: 'decide.approve' }]]);
    // A shell channel message naming a core event is not forwarded (main cannot spoof core events).
    ipc.deliver(DESK_IPC_CHANNELS.shellEvent, {}, { event: 'sync.status', payload: { state: 'spoofed' } });
    off();
    core.corePort.postMessage({ event: 'sync.status', payload: { state: 'offline' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(onSync).toHaveBeenCalledOnce();
    core.corePort.close();
  });

  it('every contract event name is accepted by on()', () => {
    const api = buildApi(new FakeIpcRenderer());
    for (const e of [...Object.keys(deskEvents), ...Object.keys(shellEvents)]) expect(typeof api.on(e, () => {})).toBe('function');
  });

  it('a new port (core restarted) answers calls in flight on the old one with an error, never hangs', async () => {
    const ipc = new FakeIpcRenderer();
    const api = buildApi(ipc);
    const { port1: silent, port2 } = new MessageChannel() as unknown as { port1: NodePort; port2: NodePort };
    ipc.deliver(DESK_IPC_CHANNELS.port, { ports: [port2 as unknown as RendererPortLike] });
    const hanging = api.sync.now();
    const core = fakeCore();
    ipc.deliver(DESK_IPC_CHANNELS.port, { ports: [core.rendererPort] });
    await expect(hanging).resolves.toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringMatching(/restarted/) } });
    await expect(api.sync.status()).resolves.toMatchObject({ ok: true });
    silent.close();
    core.corePort.close();
  });
});

describe('buildDeskFiles (window.deskFiles)', () => {
  const ok = { suggestedName: 'weekly.md', contentType: 'text/markdown; charset=utf-8', content: '# Week 48' };

  it('exposes exactly save and printToPdf, frozen, with no raw ipc', () => {
    const files = buildDeskFiles({ invoke: vi.fn() });
    expect(Object.keys(files).sort()).toEqual(['printToPdf', 'save']);
    expect(Object.isFrozen(files)).toBe(true);
    expect(JSON.stringify(Object.keys(files))).not.toMatch(/ipc|send|invoke|port/i);
  });

  it('invokes its own channel with the parsed payload and passes the answer through', async () => {
    const invoke = vi.fn(async (channel: string) => ({ ok: true, value: { status: 'saved', path: `/tmp/${channel}`, message: 'Saved' } }));
    const files = buildDeskFiles({ invoke });
    await expect(files.save(ok)).resolves.toEqual({ status: 'saved', path: `/tmp/${DESK_FILES_CHANNELS.save}`, message: 'Saved' });
    await expect(files.printToPdf({ suggestedName: 'weekly.pdf' })).resolves.toMatchObject({ status: 'saved' });
    expect(invoke.mock.calls).toEqual([[DESK_FILES_CHANNELS.save, ok], [DESK_FILES_CHANNELS.printToPdf, { suggestedName: 'weekly.pdf' }]]);
  });

  it('turns refusals, throws and odd answers into an error in words; bad input never reaches ipc', async () => {
    const refusing = buildDeskFiles({
      invoke: async () => ({ ok: false, error: { code: 'unauthorized', message: 'ipc desk-files:save refused: sender is a subframe, not the main frame' } }),
    });
    await expect(refusing.save(ok)).resolves.toEqual({ status: 'error', message: expect.stringMatching(/^Not saved: .*subframe/) });
    await expect(buildDeskFiles({ invoke: async () => Promise.reject(new Error('gone')) }).save(ok)).resolves.toMatchObject({ status: 'error', message: expect.stringMatching(/did not answer/) });
    await expect(buildDeskFiles({ invoke: async () => ({ ok: true, value: { status: 'done' } }) }).save(ok)).resolves.toMatchObject({ status: 'error', message: expect.stringMatching(/unexpected answer/) });
    const invoke = vi.fn();
    const files = buildDeskFiles({ invoke });
    await expect(files.save({ ...ok, suggestedName: 'run.sh' })).resolves.toMatchObject({ status: 'error' });
    await expect(files.printToPdf({ suggestedName: 'weekly.md' })).resolves.toMatchObject({ status: 'error', message: expect.stringMatching(/only \.pdf/) });
    await expect(files.save(undefined)).resolves.toMatchObject({ status: 'error' });
    expect(invoke).not.toHaveBeenCalled();
  });
});
