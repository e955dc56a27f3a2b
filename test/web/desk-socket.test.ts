// Browser mode's desk socket (GET /desk, a WebSocket): calls answered by id in arrival order, the same guards
// as /rpc (token, Host, Origin), and bytes that break the protocol close it having reached nothing. A
// recording dispatcher proves each refusal never reached the core.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskDispatcher } from '../../shared/desk-api';
import { startBrowserMode, type BrowserMode } from '../../electron/web';
import { rawRequest } from './http-client';

const calls: { method: string; input: unknown }[] = [];
let release: (() => void) | null = null;
const dispatcher: DeskDispatcher = {
  async call(method, input) {
    calls.push({ method, input });
    // `slow` answers only once released: a later call's answer must not wait for it.
    if (method === 'stats.today') await new Promise<void>((r) => { release = r; });
    return { ok: true, value: { echoed: input } };
  },
  onEvent: () => () => undefined,
};

let dir: string;
let mode: BrowserMode;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'desk-socket-'));
  mode = await startBrowserMode({ core: dispatcher, staticDir: dir });
});
afterAll(async () => {
  await mode?.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(token = mode.token): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${mode.port}/desk?token=${encodeURIComponent(token)}`);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error('refused'));
  });
}

function replies(ws: WebSocket, n: number): Promise<unknown[]> {
  const got: unknown[] = [];
  return new Promise((resolve) => {
    ws.addEventListener('message', (e) => {
      got.push(JSON.parse(String(e.data)));
      if (got.length === n) resolve(got);
    });
  });
}

/** A raw TCP client: the handshake, then bytes of our choosing; resolves with what the server sent and whether it closed. */
function rawSocket(headers: Record<string, string>, path = `/desk?token=${mode.token}`): Promise<{ socket: Socket; head: Promise<string> }> {
  return new Promise((resolve) => {
    const socket = connect(mode.port, '127.0.0.1', () => {
      const lines = [`GET ${path} HTTP/1.1`, `host: 127.0.0.1:${mode.port}`, 'upgrade: websocket', 'connection: Upgrade', 'sec-websocket-version: 13', 'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      const head = new Promise<string>((r) => socket.once('data', (c: Buffer) => r(c.toString('latin1'))));
      resolve({ socket, head });
    });
  });
}

/** The close code in the server's close frame (unmasked: 0x88, length, code), once the connection ends. */
function closeCode(socket: Socket): Promise<number | null> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => socket.on('close', () => {
    const all = Buffer.concat(chunks);
    const at = all.indexOf(0x88);
    resolve(at >= 0 && all.length >= at + 4 ? all.readUInt16BE(at + 2) : null);
  }));
}

describe('browser mode: the desk socket', () => {
  it('answers each call by its id; a slow call does not hold up the next one', async () => {
    const ws = await open();
    const got = replies(ws, 2);
    const before = calls.length;
    ws.send(JSON.stringify({ id: 7, method: 'stats.today', input: {} }));
    ws.send(JSON.stringify({ id: 8, method: 'triage.decide', input: { itemId: 'i1' } }));
    const first = await new Promise<unknown>((r) => ws.addEventListener('message', (e) => r(JSON.parse(String(e.data))), { once: true }));
    expect(first).toEqual({ id: 8, result: { ok: true, value: { echoed: { itemId: 'i1' } } } });
    // Both calls started, in the order they arrived.
    expect(calls.slice(before).map((c) => c.method)).toEqual(['stats.today', 'triage.decide']);
    release?.();
    expect(await got).toEqual([{ id: 8, result: { ok: true, value: { echoed: { itemId: 'i1' } } } }, { id: 7, result: { ok: true, value: { echoed: {} } } }]);
    ws.close();
  });

  it('a request without a method name is answered bad_input by its id, and reaches nothing', async () => {
    const ws = await open();
    const before = calls.length;
    const got = replies(ws, 1);
    ws.send(JSON.stringify({ id: 3, input: {} }));
    expect(await got).toEqual([{ id: 3, result: { ok: false, error: { code: 'bad_input', message: expect.stringContaining('method') } } }]);
    expect(calls.length).toBe(before);
    ws.close();
  });

  it('refuses a wrong token, another Host, another Origin and other paths, before anything reaches the core', async () => {
    const before = calls.length;
    await expect(open('wrong')).rejects.toThrow('refused');
    const upgrade = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    const cases: [Record<string, string>, string, number][] = [
      [{}, `/desk`, 401],
      [{ origin: 'http://evil.example' }, `/desk?token=${mode.token}`, 403],
      [{ host: 'evil.example' }, `/desk?token=${mode.token}`, 403],
      [{}, `/other?token=${mode.token}`, 404],
      [{ 'sec-websocket-key': 'short' }, `/desk?token=${mode.token}`, 400],
    ];
    for (const [headers, path, status] of cases) {
      const res = await rawRequest({ port: mode.port, path, headers: { ...upgrade, ...headers } });
      expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(status);
    }
    expect(calls.length).toBe(before);
  });

  it('bytes that break the protocol close the socket with its code, and reach nothing', async () => {
    const before = calls.length;
    // A client frame without a mask breaks RFC 6455 §5.1: protocol error.
    const { socket, head } = await rawSocket({});
    expect(await head).toMatch(/^HTTP\/1\.1 101 /);
    const closed = closeCode(socket);
    socket.write(Buffer.concat([Buffer.from([0x81, 2]), Buffer.from('{}')]));
    expect(await closed).toBe(1002);
    // A binary message (the desk speaks text), and text that is not JSON.
    const sent: [string | Uint8Array<ArrayBuffer>, number][] = [
      [new TextEncoder().encode('{"id":1,"method":"stats.today"}'), 1003],
      ['{not json', 1007],
    ];
    for (const [message, code] of sent) {
      const ws = await open();
      const gone = new Promise<number>((r) => { ws.onclose = (e) => r(e.code); });
      ws.send(message);
      expect(await gone, String(message).slice(0, 40)).toBe(code);
    }
    expect(calls.length).toBe(before);
  });

  it('closing browser mode closes its sockets', async () => {
    const other = await startBrowserMode({ core: dispatcher, staticDir: dir });
    const ws = await new Promise<WebSocket>((resolve) => {
      const s = new WebSocket(`ws://127.0.0.1:${other.port}/desk?token=${other.token}`);
      s.onopen = () => resolve(s);
    });
    const closed = new Promise<void>((r) => { ws.onclose = () => r(); });
    await other.close();
    await closed;
  });
});
