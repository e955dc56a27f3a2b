// The browser-mode client over real HTTP: a loopback server stands in for electron/web's /rpc.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeskClient } from '../../renderer/desk/client';
import { DeskCallError } from '../../renderer/desk/desk-error';
import { createHttpTransport } from '../../renderer/desk/http-transport';

let server: Server;
let base = '';
const seen: { path: string; auth: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== 'Bearer good') {
        res.statusCode = 401;
        res.end(JSON.stringify({ ok: false, error: { code: 'unauthorized', message: 'bad launch token' } }));
      } else if (req.url === '/rpc/session.get') {
        res.end(JSON.stringify({ ok: true, value: { signedIn: false, serverUrl: null, user: null, clientId: 'c1', demo: false, demoAvailable: true } }));
      } else if (req.url === '/rpc/item.get') {
        res.end(JSON.stringify({ ok: false, error: { code: 'not_found', message: 'no item x', details: { itemId: 'x' } } }));
      } else {
        res.statusCode = 500;
        res.end('<html>oops</html>');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('desk client over browser-mode HTTP', () => {
  it('posts the input with the launch token and unwraps the value', async () => {
    const desk = createDeskClient(createHttpTransport({ baseUrl: base, token: 'good' }));
    const s = await desk.call('session.get', {});
    expect(s.demoAvailable).toBe(true);
    const last = seen.at(-1)!;
    expect(last).toEqual({ path: '/rpc/session.get', auth: 'Bearer good', body: '{}' });
  });
  it('turns a DeskResult error into a typed DeskCallError', async () => {
    const desk = createDeskClient(createHttpTransport({ baseUrl: base, token: 'good' }));
    const err = await desk.call('item.get', { itemId: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeskCallError);
    expect(err).toMatchObject({ code: 'not_found', message: 'no item x', method: 'item.get', details: { itemId: 'x' } });
  });
  it('reports transport refusals and non-JSON answers with codes', async () => {
    const refused = createDeskClient(createHttpTransport({ baseUrl: base, token: 'bad' }));
    await expect(refused.call('session.get', {})).rejects.toMatchObject({ code: 'unauthorized' });
    const desk = createDeskClient(createHttpTransport({ baseUrl: base, token: 'good' }));
    await expect(desk.call('stats.today', {})).rejects.toMatchObject({ code: 'internal' });
  });
  it('never sends an unknown method, and says when the desk is unreachable', async () => {
    const t = createHttpTransport({ baseUrl: base, token: 'good' });
    const before = seen.length;
    expect(await t.call('fs.readFile', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(seen.length).toBe(before);
    const gone = createHttpTransport({ baseUrl: 'http://127.0.0.1:1', token: 'good' });
    expect(await gone.call('session.get', {})).toMatchObject({ ok: false, error: { code: 'desk_unreachable' } });
  });
  it('sends the request in the caller\'s own task when no early answer waits (issue 15 gap 2: before the next item renders)', () => {
    const sent: string[] = [];
    const fetchImpl = ((url: string) => (sent.push(url), new Promise<Response>(() => undefined))) as unknown as typeof fetch;
    const desk = createDeskClient(createHttpTransport({ baseUrl: 'http://127.0.0.1:9', token: 'good', fetchImpl, earlyResponse: () => undefined }));
    void desk.call('triage.decide', { itemId: 'i1', kind: 'approve', payload: {} });
    // No await between the call and this line: the request is out already.
    expect(sent).toEqual(['http://127.0.0.1:9/rpc/triage.decide']);
  });
});

describe('desk client over the Electron preload', () => {
  it('calls window.desk.<group>.<verb> and passes events through', async () => {
    const { createElectronTransport } = await import('../../renderer/desk/electron-transport');
    const calls: unknown[] = [];
    const listeners: ((p: unknown) => void)[] = [];
    const preload = {
      triage: {
        decide: async (input: unknown) => (calls.push(input), { ok: true as const, value: { mutationId: 1, itemId: 'i1', kind: 'approve', nextItemId: 'i2' } }),
        undo: async () => {
          throw new Error('port closed');
        },
      },
      on: (_event: string, l: (p: unknown) => void) => (listeners.push(l), () => undefined),
    };
    const desk = createDeskClient(createElectronTransport(preload));
    const out = await desk.call('triage.decide', { itemId: 'i1', kind: 'approve', payload: {} });
    expect(out.nextItemId).toBe('i2');
    expect(calls).toEqual([{ itemId: 'i1', kind: 'approve', payload: {} }]);
    await expect(desk.call('triage.undo', {})).rejects.toMatchObject({ code: 'internal', message: 'port closed' });
    await expect(desk.call('stats.today', {})).rejects.toMatchObject({ code: 'unknown_method' });
    const got: unknown[] = [];
    desk.on('queue.changed', (p) => got.push(p));
    listeners[0]({ reason: 'pull' });
    expect(got).toEqual([{ reason: 'pull' }]);
  });
});
