// Shell events through the desk client: the Electron preload delivers them (payloads checked against
// shared/desk-api shellEvents), an older preload that refuses their names and browser mode (which never
// sends them) answer with no-op subscriptions instead of breaking the client.
import { describe, expect, it, vi } from 'vitest';
import { createDeskClient } from '../../renderer/desk/client';
import { createElectronTransport, type PreloadDesk } from '../../renderer/desk/electron-transport';
import { createHttpTransport } from '../../renderer/desk/http-transport';

/** A stand-in for window.desk: on() like the real preload (unknown names throw unless `lenient`). */
function fakePreload(known: string[]) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const desk: PreloadDesk = {
    on(event, listener) {
      if (!known.includes(event)) throw new TypeError(`window.desk.on: unknown event "${event}"`);
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
  };
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return { desk, emit, count: (event: string) => listeners.get(event)?.size ?? 0 };
}

const ALL = ['sync.status', 'queue.changed', 'session.changed', 'app.command', 'core.restarted', 'app.notice'];

describe('shell events over the Electron preload', () => {
  it('delivers each shell event payload, parsed, and unsubscribes', () => {
    const p = fakePreload(ALL);
    const desk = createDeskClient(createElectronTransport(p.desk));
    const got: unknown[] = [];
    const offs = [
      desk.onShell('app.command', (e) => got.push(['cmd', e.command])),
      desk.onShell('core.restarted', (e) => got.push(['restart', e.restarts, e.gaveUp])),
      desk.onShell('app.notice', (e) => got.push(['notice', e.level, e.code])),
    ];
    p.emit('app.command', { command: 'decide.approve' });
    p.emit('core.restarted', { restarts: 2, reason: 'core process exited with code 9', gaveUp: false });
    p.emit('app.notice', { level: 'warning', code: 'secrets_session_only', message: 'kept in memory only' });
    expect(got).toEqual([['cmd', 'decide.approve'], ['restart', 2, false], ['notice', 'warning', 'secrets_session_only']]);
    offs.forEach((off) => off());
    expect(p.count('app.command') + p.count('core.restarted') + p.count('app.notice')).toBe(0);
  });

  it('drops a malformed payload instead of handing it on', () => {
    const p = fakePreload(ALL);
    const desk = createDeskClient(createElectronTransport(p.desk));
    const got: unknown[] = [];
    desk.onShell('app.notice', (e) => got.push(e));
    desk.onShell('core.restarted', (e) => got.push(e));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    p.emit('app.notice', { level: 'shout', code: 'x', message: 'y' });
    p.emit('core.restarted', { restarts: -1, reason: 'x', gaveUp: false });
    p.emit('app.notice', null);
    expect(got).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(3);
    warn.mockRestore();
  });

  it('an older preload that knows no shell events: subscribing is a no-op, desk events still flow', () => {
    const p = fakePreload(['sync.status', 'queue.changed', 'session.changed']);
    const desk = createDeskClient(createElectronTransport(p.desk));
    const off = desk.onShell('app.command', () => undefined);
    expect(typeof off).toBe('function');
    expect(() => off()).not.toThrow();
    const got: unknown[] = [];
    desk.on('queue.changed', (e) => got.push(e.reason));
    p.emit('queue.changed', { reason: 'pull' });
    expect(got).toEqual(['pull']);
  });
});

describe('shell events in browser mode', () => {
  it('never subscribes to anything (no event stream is opened for them)', () => {
    const opened: string[] = [];
    class FakeEventSource {
      constructor(url: string) {
        opened.push(url);
      }
      addEventListener() {}
    }
    const desk = createDeskClient(
      createHttpTransport({ baseUrl: 'http://127.0.0.1:1', token: 't', EventSourceImpl: FakeEventSource as unknown as typeof EventSource }),
    );
    const off = desk.onShell('core.restarted', () => undefined);
    expect(opened).toEqual([]);
    off();
    desk.on('sync.status', () => undefined);
    expect(opened).toEqual(['http://127.0.0.1:1/events?token=t']);
  });
});
