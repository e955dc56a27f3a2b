// Browser mode's launch key cannot be bypassed by how the request line spells the path (issue 8, item 6):
// the key is checked on the route the router matched, so percent-encoding, absolute-form request lines,
// double slashes, dot segments and case variants either reach no route or meet the key check. Raw
// request lines over a socket (node:http and fetch would normalise them); a recording dispatcher proves
// no refused request ever reached the core.
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskDispatcher } from '../../shared/desk-api';
import { startBrowserMode, type BrowserMode } from '../../electron/web';

let dir: string;
let mode: BrowserMode;
const calls: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'desk-web-key-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>desk</title>');
  const core: DeskDispatcher = {
    async call(method) { calls.push(method); return { ok: true, value: { signedIn: true } }; },
    onEvent() { return () => undefined; },
  };
  mode = await startBrowserMode({ core, staticDir: dir });
});
afterAll(async () => {
  await mode?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends one raw HTTP/1.1 request line as written and answers the status code and body. */
function raw(method: string, target: string, headers: Record<string, string> = {}, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(mode.port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      data += c;
      // Server-sent events never end: the status line is all a refused/accepted stream needs to show.
      if (/^HTTP\/1\.1 200/.test(data) && /text\/event-stream/.test(data)) socket.destroy();
    });
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (!m) return reject(new Error(`no status line for ${method} ${target}: ${JSON.stringify(data.slice(0, 80))}`));
      resolve({ status: Number(m[1]), body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.on('error', reject);
    const lines = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${mode.port}`, 'Connection: close'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    if (body) lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

const RPC_SPELLINGS = (port: number) => [
  '/rpc/session.get',
  '/%72pc/session.get', '/%72%70%63/session.get', '/rp%63/session.get', '/rpc%2Fsession.get', '/rpc%2fsession.get',
  '/rpc/%73ession.get', '/rpc/session%2Eget', '/rpc/session%2eget',
  '/RPC/session.get', '/Rpc/session.get', '/rPc/session.get', '/rpc/SESSION.GET',
  '//rpc/session.get', '/rpc//session.get', '///rpc/session.get',
  '/./rpc/session.get', '/rpc/./session.get', '/x/../rpc/session.get', '/%2e/rpc/session.get', '/x/%2e%2e/rpc/session.get',
  '/rpc/session.get?', '/rpc/session.get?token=x', '/rpc/session.get;x', '/rpc/session.get/',
  `http://127.0.0.1:${port}/rpc/session.get`, `http://127.0.0.1:${port}/%72pc/session.get`, `HTTP://127.0.0.1:${port}/rpc/session.get`,
  `http://localhost:${port}/rpc/session.get`, `http://evil.example/rpc/session.get`, `//127.0.0.1:${port}/rpc/session.get`,
];

const EVENT_SPELLINGS = (port: number) => [
  '/events', '/%65vents', '/event%73', '/EVENTS', '//events', '/./events', '/x/../events', '/events/', '/events?token=',
  `http://127.0.0.1:${port}/events`, `http://127.0.0.1:${port}/%65vents`,
];

describe('the launch key, whatever the request line says', () => {
  it('every spelling of an RPC path without the key: refused (401) or no such route (4xx), and the core never sees a call', async () => {
    calls.length = 0;
    for (const target of RPC_SPELLINGS(mode.port)) {
      const res = await raw('POST', target, {}, '{}');
      expect(res.status, `POST ${target} -> ${res.status} ${res.body.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `POST ${target}`).toBeLessThan(500);
    }
    expect(calls).toEqual([]);
  });

  it('every spelling of /events without the key: refused or no such route, never a stream', async () => {
    for (const target of EVENT_SPELLINGS(mode.port)) {
      const res = await raw('GET', target);
      // A GET that matches no route falls to the static files (index.html): a page, never the event stream.
      expect(res.body, `GET ${target}`).not.toMatch(/^(event|data|:)/m);
      if (res.status === 200) expect(res.body, `GET ${target}`).toMatch(/<!doctype html>/);
    }
  });

  it('generated spellings (random percent-encoding of every character, either case of hex digits, slashes, dots): never reach the core without the key', async () => {
    calls.length = 0;
    const spelling = fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 16, maxLength: 16 }).chain((flags) =>
      fc.tuple(fc.constant(flags), fc.constantFrom('', '/', '/./', '//', '/a/../'), fc.boolean()));
    await fc.assert(fc.asyncProperty(spelling, async ([flags, prefix, absolute]) => {
      const path = '/rpc/session.get'.split('').map((ch, i) => {
        const [encode, upperHex] = flags[i];
        const hex = ch.charCodeAt(0).toString(16).padStart(2, '0');
        return encode && ch !== '/' ? `%${upperHex ? hex.toUpperCase() : hex}` : ch;
      }).join('');
      const target = `${absolute ? `http://127.0.0.1:${mode.port}` : ''}${prefix === '' ? path : prefix + path.slice(1)}`;
      const res = await raw('POST', target, {}, '{}');
      expect(res.status, `POST ${target}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `POST ${target}`).toBeLessThan(500);
    }), { numRuns: 60 });
    expect(calls).toEqual([]);
  });

  it('with the key, the plain path and the encoded spellings the router accepts do reach the core', async () => {
    calls.length = 0;
    const auth = { Authorization: `Bearer ${mode.token}` };
    expect((await raw('POST', '/rpc/session.get', auth, '{}')).status).toBe(200);
    expect((await raw('POST', '/%72pc/session.get', auth, '{}')).status).toBe(200);
    expect((await raw('POST', `http://127.0.0.1:${mode.port}/rpc/session.get`, auth, '{}')).status).toBe(200);
    expect(calls).toEqual(['session.get', 'session.get', 'session.get']);
  });
});
