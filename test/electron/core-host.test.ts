// The core host's process management with a fake utility process: restart with backoff up to a limit,
// no restart after a fatal 'locked', the window told every time, token requests answered from main,
// malformed child messages ignored, graceful stop with a kill as the last resort.
import { describe, expect, it, vi } from 'vitest';
import { createCoreHost } from '../../electron/main/core-host';
import { FakeFrame, FakeUtility, nodeChannel } from './helpers/fakes';

function setup(over: { maxRestarts?: number } = {}) {
  const procs: FakeUtility[] = [];
  const shell: Array<[string, unknown]> = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  let token: string | null = 'tok-1';
  const host = createCoreHost({
    fork: () => {
      const p = new FakeUtility();
      procs.push(p);
      return p;
    },
    createChannel: nodeChannel,
    secrets: { get: async () => token, set: async (t) => void (token = t), clear: async () => void (token = null) },
    shellEvent: (e, p) => shell.push([e, p]),
    maxRestarts: over.maxRestarts ?? 3,
    now: () => 1_000,
    setTimeout: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimeout: () => {},
    log: () => {},
  });
  const runTimers = () => {
    for (const t of timers.splice(0)) t.fn();
  };
  return { host, procs, shell, timers, runTimers, token: () => token };
}

describe('createCoreHost', () => {
  it('connects main and each trusted frame with a port on start and on every restart', () => {
    const { host, procs, runTimers, shell } = setup();
    const frame = new FakeFrame();
    host.connectFrame(frame); // before start: remembered, handed over once the process exists
    host.start();
    const connects = (p: FakeUtility) => p.toChild.filter((m) => (m.message as { type: string }).type === 'connect');
    expect(connects(procs[0])).toHaveLength(2); // main's own port + the frame's
    expect(frame.posted).toHaveLength(1);
    expect(frame.posted[0].channel).toBe('desk:port');
    procs[0].emit('exit', 139);
    runTimers();
    expect(procs).toHaveLength(2);
    expect(connects(procs[1])).toHaveLength(2);
    expect(frame.posted).toHaveLength(2);
    expect(shell).toEqual([['core.restarted', { restarts: 1, reason: 'core process exited with code 139', gaveUp: false }]]);
  });

  it('backs off and gives up after maxRestarts within the window, telling the window', () => {
    const { host, procs, runTimers, timers, shell } = setup({ maxRestarts: 2 });
    host.start();
    procs[0].emit('exit', 1);
    expect(timers.map((t) => t.ms)).toEqual([250]);
    runTimers();
    procs[1].emit('exit', 1);
    expect(timers.map((t) => t.ms)).toEqual([500]);
    runTimers();
    procs[2].emit('exit', 1);
    expect(timers).toHaveLength(0);
    expect(procs).toHaveLength(3);
    expect(host.gaveUp).toBe(true);
    expect(shell.at(-2)).toEqual(['core.restarted', { restarts: 2, reason: 'core process exited with code 1', gaveUp: true }]);
    expect(shell.at(-1)).toMatchObject(['app.notice', { level: 'error', code: 'core_down' }]);
  });

  it('does not restart a core that could not lock its cache', async () => {
    const { host, procs, timers, shell } = setup();
    host.start();
    procs[0].fromChild({ type: 'fatal', code: 'locked', message: 'cache owned by pid 42' });
    procs[0].emit('exit', 1);
    expect(timers).toHaveLength(0);
    expect(shell[0]).toEqual(['core.restarted', { restarts: 0, reason: 'locked: cache owned by pid 42', gaveUp: true }]);
    await expect(host.call('session.get', {})).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it("answers the core's token requests from main's store", async () => {
    const { host, procs, token } = setup();
    host.start();
    const replies = () => procs[0].toChild.map((m) => m.message).filter((m) => (m as { type: string }).type === 'secret-reply');
    procs[0].fromChild({ type: 'secret', id: 1, op: 'get' });
    procs[0].fromChild({ type: 'secret', id: 2, op: 'set', token: 'tok-2' });
    await vi.waitFor(() => expect(replies()).toHaveLength(2));
    expect(replies()).toEqual([
      { type: 'secret-reply', id: 1, ok: true, value: 'tok-1' },
      { type: 'secret-reply', id: 2, ok: true, value: null },
    ]);
    expect(token()).toBe('tok-2');
    procs[0].fromChild({ type: 'secret', id: 3, op: 'set' });
    procs[0].fromChild({ type: 'secret', id: 'x', op: 'get' });
    procs[0].fromChild({ type: 'telemetry', data: 1 });
    await vi.waitFor(() => expect(replies()).toHaveLength(3));
    expect(replies()[2]).toMatchObject({ id: 3, ok: false });
  });

  it('stop asks the core to shut down and resolves when it exits; kills it if it hangs', async () => {
    const a = setup();
    a.host.start();
    const stopped = a.host.stop();
    expect(a.procs[0].toChild.at(-1)?.message).toEqual({ type: 'shutdown' });
    a.procs[0].emit('exit', 0);
    await stopped;
    expect(a.procs).toHaveLength(1);
    expect(a.shell).toEqual([]);

    const b = setup();
    b.host.start();
    const stopping = b.host.stop();
    b.runTimers(); // the shutdown timeout fires
    await stopping;
    expect(b.procs[0].killed).toBe(true);
    expect(b.procs).toHaveLength(1);
  });

  it("main's calls in flight when the core dies are answered, not left hanging", async () => {
    const { host, procs } = setup();
    host.start();
    const call = host.call('sync.now', {});
    procs[0].emit('exit', 9);
    await expect(call).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
