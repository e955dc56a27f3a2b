// The renderer's desk socket (renderer/desk/socket-transport.ts) against a fake WebSocket: calls leave at once
// on an open socket, go over HTTP while it connects or is down (and it is tried again), the boot's
// early answers are taken over HTTP, and a call in flight on a socket that drops is answered, never left hanging.
import { describe, expect, it, vi } from 'vitest';
import type { DeskResult } from '../../shared/desk-api';
import { createSocketTransport, deskSocketUrl } from '../../renderer/desk/socket-transport';
import type { DeskTransport } from '../../renderer/desk/transport';

class FakeSocket {
  static made: FakeSocket[] = [];
  sent: { id: number; method: string; input: unknown }[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  answer(id: number, result: DeskResult<unknown>) {
    this.onmessage?.({ data: JSON.stringify({ id, result }) });
  }
}

function setup(opts: { early?: boolean } = {}) {
  FakeSocket.made = [];
  const viaHttp: string[] = [];
  const fallback: DeskTransport = {
    kind: 'http',
    call: async (method) => (viaHttp.push(method), { ok: true, value: 'http' }),
    on: () => () => undefined,
  };
  const timers: (() => void)[] = [];
  const t = createSocketTransport({
    url: 'ws://127.0.0.1:9/desk?token=t', fallback, WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    hasEarlyAnswer: (m) => !!opts.early && m === 'session.get', setTimer: (fn) => timers.push(fn),
  });
  return { t, viaHttp, timers, socket: () => FakeSocket.made.at(-1)! };
}

describe('desk socket transport', () => {
  it('names the socket on the page\'s own host and port', () => {
    expect(deskSocketUrl('http://127.0.0.1:4312', 'a b')).toBe('ws://127.0.0.1:4312/desk?token=a%20b');
  });

  it('on an open socket a call leaves in the caller\'s task and is answered by its id', async () => {
    const { t, socket, viaHttp } = setup();
    socket().onopen!();
    const a = t.call('triage.decide', { itemId: 'i1' });
    const b = t.call('item.get', { itemId: 'i2' });
    // No await yet: both are out, in order.
    expect(socket().sent.map((m) => m.method)).toEqual(['triage.decide', 'item.get']);
    const [ida, idb] = socket().sent.map((m) => m.id);
    socket().answer(idb, { ok: true, value: 'b' });
    socket().answer(ida, { ok: false, error: { code: 'item_changed', message: 'moved' } });
    expect(await a).toEqual({ ok: false, error: { code: 'item_changed', message: 'moved' } });
    expect(await b).toEqual({ ok: true, value: 'b' });
    expect(viaHttp).toEqual([]);
  });

  it('calls made while it connects go over HTTP at once (nothing waits for the socket), and so does one an early answer waits for', async () => {
    const { t, socket, viaHttp } = setup({ early: true });
    expect(await t.call('triage.next', { fromItemId: null, direction: 'next' })).toEqual({ ok: true, value: 'http' });
    socket().onopen!();
    expect(await t.call('session.get', {})).toEqual({ ok: true, value: 'http' });
    expect(socket().sent).toEqual([]);
    expect(viaHttp).toEqual(['triage.next', 'session.get']);
    void t.call('settings.get', {});
    expect(socket().sent.map((m) => m.method)).toEqual(['settings.get']);
  });

  it('is ordered only while the socket is open and no call is still on its way over HTTP (the triage queue then sends keys without waiting)', async () => {
    FakeSocket.made = [];
    let answerHttp: (r: DeskResult<unknown>) => void = () => undefined;
    const fallback: DeskTransport = { kind: 'http', call: () => new Promise((resolve) => { answerHttp = resolve; }), on: () => () => undefined };
    const t = createSocketTransport({ url: 'ws://127.0.0.1:9/desk?token=t', fallback, WebSocketImpl: FakeSocket as unknown as typeof WebSocket, setTimer: () => undefined });
    const socket = FakeSocket.made.at(-1)!;
    expect(t.ordered?.()).toBe(false); // connecting: calls go over HTTP, which may overtake each other
    const overHttp = t.call('triage.open', { itemId: 'i1' });
    socket.onopen!();
    expect(t.ordered?.()).toBe(false); // a call sent now on the socket could overtake the open still on its way
    answerHttp({ ok: true, value: 'opened' });
    await overHttp;
    expect(t.ordered?.()).toBe(true);
    socket.onclose!();
    expect(t.ordered?.()).toBe(false);
  });

  it('a socket that drops: the call in flight is answered desk_unreachable, the rest go over HTTP, and it is tried again', async () => {
    const { t, socket, viaHttp, timers } = setup();
    const first = socket();
    first.onopen!();
    const inFlight = t.call('triage.decide', { itemId: 'i1' });
    first.onclose!();
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'desk_unreachable' } });
    expect(await t.call('item.get', { itemId: 'i2' })).toEqual({ ok: true, value: 'http' });
    expect(viaHttp).toEqual(['item.get']);
    // A late answer on the dead socket changes nothing.
    first.answer(first.sent[0].id, { ok: true, value: 'late' });
    expect(timers).toHaveLength(1);
    timers[0]();
    expect(FakeSocket.made).toHaveLength(2);
    socket().onopen!();
    void t.call('item.get', { itemId: 'i3' });
    expect(socket().sent.map((m) => m.method)).toEqual(['item.get']);
  });

  it('a socket that never opens is tried again later; calls meanwhile go over HTTP', async () => {
    const { t, socket, viaHttp, timers } = setup();
    socket().onerror!();
    expect(await t.call('queue.list', {})).toEqual({ ok: true, value: 'http' });
    expect(viaHttp).toEqual(['queue.list']);
    expect(timers).toHaveLength(1);
  });

  it('never sends an unknown method, and ignores messages that answer no call', async () => {
    const { t, socket } = setup();
    socket().onopen!();
    expect(await t.call('fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(socket().sent).toEqual([]);
    const p = t.call('item.get', { itemId: 'x' });
    const id = socket().sent[0].id;
    for (const data of ['not json', 'null', '[]', JSON.stringify({ id: String(id), result: { ok: true, value: 'y' } }), JSON.stringify({ id: id + 1, result: { ok: true, value: 'y' } })]) {
      socket().onmessage!({ data });
    }
    socket().answer(id, { ok: true, value: 'x' });
    expect(await p).toEqual({ ok: true, value: 'x' });
  });

  it('ends a call whose answer is malformed with an internal error, so nothing queued behind it waits for good', async () => {
    const { t, socket } = setup();
    socket().onopen!();
    const bad = [{ ok: false }, { ok: 'yes', value: 1 }, { ok: false, error: { code: 7, message: 'x' } }, null, 'text'];
    for (const result of bad) {
      const p = t.call('item.get', { itemId: 'x' });
      socket().onmessage!({ data: JSON.stringify({ id: socket().sent.at(-1)!.id, result }) });
      expect(await p).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringMatching(/unexpected message/) } });
    }
    // The late good answer to an ended call changes nothing; the next call is answered normally.
    socket().answer(socket().sent[0].id, { ok: true, value: 'late' });
    const next = t.call('item.get', { itemId: 'y' });
    socket().answer(socket().sent.at(-1)!.id, { ok: true, value: 'y' });
    expect(await next).toEqual({ ok: true, value: 'y' });
  });
});

describe('pickTransport in browser mode', () => {
  it('opens the desk socket on the page\'s own host with the launch token, and sends calls over it once open', async () => {
    FakeSocket.made = [];
    const store = new Map<string, string>();
    vi.stubGlobal('window', { location: { hash: '#launch=tok', origin: 'http://127.0.0.1:4312', pathname: '/', search: '' } });
    vi.stubGlobal('history', { replaceState: () => undefined });
    vi.stubGlobal('sessionStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) });
    vi.stubGlobal('WebSocket', FakeSocket);
    try {
      const { pickTransport } = await import('../../renderer/desk/client');
      const t = pickTransport();
      expect(FakeSocket.made.map((s) => s.url)).toEqual(['ws://127.0.0.1:4312/desk?token=tok']);
      FakeSocket.made[0].onopen!();
      void t.call('triage.decide', { itemId: 'i1' });
      expect(FakeSocket.made[0].sent.map((m) => m.method)).toEqual(['triage.decide']);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
