// Browser-mode transport: token, Host and Origin checks, body limits, static files and SSE. These use a
// tiny recording dispatcher so each refusal can prove the call never reached the core; everything that
// needs real behaviour lives in browser-mode-core.test.ts against the real core and server.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskDispatcher, DeskEventName } from '../../shared/desk-api';
import { startBrowserMode, type BrowserMode } from '../../electron/web';
import { collectEvents, rawRequest, rpc } from './http-client';

function recordingDispatcher() {
  const calls: { method: string; input: unknown }[] = [];
  const listeners = new Set<(name: DeskEventName, payload: unknown) => void>();
  const dispatcher: DeskDispatcher = {
    async call(method, input) {
      calls.push({ method, input });
      return { ok: true, value: { echoed: input } };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (name: DeskEventName, payload: unknown) => listeners.forEach((l) => l(name, payload));
  return { dispatcher, calls, emit, listenerCount: () => listeners.size };
}

let dir: string;
let outside: string;
let mode: BrowserMode;
let fake: ReturnType<typeof recordingDispatcher>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'desk-web-static-'));
  outside = mkdtempSync(join(tmpdir(), 'desk-web-secret-'));
  writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>desk</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log("hi")');
  writeFileSync(join(dir, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(dir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'assets', 'escape.txt'));
  fake = recordingDispatcher();
  mode = await startBrowserMode({ core: fake.dispatcher, staticDir: dir, bodyLimit: 4096 });
});

afterAll(async () => {
  await mode?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('browser mode: who may call', () => {
  it('listens on 127.0.0.1 only and hands out a launch URL carrying a strong token in the fragment', () => {
    expect(mode.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mode.launchUrl).toBe(`${mode.url}/#launch=${mode.token}`);
    expect(Buffer.from(mode.token, 'base64url').length).toBe(32);
  });

  it('gives each launch a different token', async () => {
    const other = await startBrowserMode({ core: fake.dispatcher, staticDir: dir });
    try {
      expect(other.token).not.toBe(mode.token);
    } finally {
      await other.close();
    }
  });

  it('refuses a call without a token or with a wrong one (401), and the core never sees it', async () => {
    const before = fake.calls.length;
    const missing = await rpc(mode.port, null, 'session.get', {});
    expect(missing.status).toBe(401);
    expect(missing.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const wrong = await rpc(mode.port, `${mode.token.slice(0, -1)}x`, 'session.get', {});
    expect(wrong.status).toBe(401);
    const basic = await rpc(mode.port, null, 'session.get', {}, { authorization: `Basic ${mode.token}` });
    expect(basic.status).toBe(401);
    expect(fake.calls.length).toBe(before);
  });

  it('refuses a foreign Host (DNS rebinding) with 403, even with the right token', async () => {
    const before = fake.calls.length;
    for (const host of ['evil.example', `evil.example:${mode.port}`, '127.0.0.1:1', `0.0.0.0:${mode.port}`]) {
      const res = await rpc(mode.port, mode.token, 'session.get', {}, { host });
      expect(res.status, host).toBe(403);
      expect(res.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    const page = await rawRequest({ port: mode.port, path: '/', headers: { host: 'rebind.attacker.test' } });
    expect(page.status).toBe(403);
    expect(fake.calls.length).toBe(before);
  });

  it('refuses a foreign Origin with 403 and accepts our own', async () => {
    const before = fake.calls.length;
    for (const origin of ['http://evil.example', `http://localhost:${mode.port}`, `https://127.0.0.1:${mode.port}`, 'null']) {
      const res = await rpc(mode.port, mode.token, 'session.get', {}, { origin });
      expect(res.status, origin).toBe(403);
    }
    expect(fake.calls.length).toBe(before);
    const same = await rpc(mode.port, mode.token, 'session.get', {}, { origin: mode.url });
    expect(same.status).toBe(200);
    const viaLocalhost = await rpc(mode.port, mode.token, 'session.get', {}, {
      host: `localhost:${mode.port}`,
      origin: `http://localhost:${mode.port}`,
    });
    expect(viaLocalhost.status).toBe(200);
  });
});

describe('browser mode: /rpc', () => {
  it('passes a known method and its JSON input to the dispatcher and answers its DeskResult', async () => {
    const res = await rpc(mode.port, mode.token, 'queue.page', { limit: 5 });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ ok: true, value: { echoed: { limit: 5 } } });
    expect(fake.calls.at(-1)).toEqual({ method: 'queue.page', input: { limit: 5 } });
  });

  it('answers 404 unknown_method for a name outside the desk API table', async () => {
    const before = fake.calls.length;
    for (const name of ['nope', 'constructor', '__proto__', 'session.get.extra']) {
      const res = await rpc(mode.port, mode.token, name, {});
      expect(res.status, name).toBe(404);
      expect(res.json()).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    }
    expect(fake.calls.length).toBe(before);
  });

  it('refuses bodies over the limit (413), non-JSON content types (415) and broken JSON (400)', async () => {
    const before = fake.calls.length;
    const big = await rpc(mode.port, mode.token, 'triage.decide', { pad: 'x'.repeat(10_000) });
    expect(big.status).toBe(413);
    expect(big.json()).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    const form = await rawRequest({
      port: mode.port, method: 'POST', path: '/rpc/session.get',
      headers: { authorization: `Bearer ${mode.token}`, 'content-type': 'text/plain' }, body: '{}',
    });
    expect(form.status).toBe(415);
    const broken = await rawRequest({
      port: mode.port, method: 'POST', path: '/rpc/session.get',
      headers: { authorization: `Bearer ${mode.token}`, 'content-type': 'application/json' }, body: '{"a":',
    });
    expect(broken.status).toBe(400);
    expect(broken.json()).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(fake.calls.length).toBe(before);
  });

  it('refuses GET on an RPC path', async () => {
    const res = await rawRequest({ port: mode.port, path: '/rpc/session.get', headers: { authorization: `Bearer ${mode.token}` } });
    expect(res.status).toBe(404);
  });
});

describe('browser mode: static files', () => {
  it('serves the renderer with the right content types, a strict CSP and nosniff', async () => {
    const index = await rawRequest({ port: mode.port, path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body).toContain('<title>desk</title>');
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['cache-control']).toBe('no-store');
    const js = await rawRequest({ port: mode.port, path: '/assets/app.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await rawRequest({ port: mode.port, path: '/assets/app.css' })).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await rawRequest({ port: mode.port, path: '/assets/logo.svg' })).headers['content-type']).toBe('image/svg+xml');
  });

  it('falls back to index.html for client-side routes but 404s a missing asset', async () => {
    const route = await rawRequest({ port: mode.port, path: '/triage/item-1?x=1' });
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>desk</title>');
    expect((await rawRequest({ port: mode.port, path: '/assets/missing.js' })).status).toBe(404);
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const path of [
      '/../desk-web-secret/secret.txt', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/..%5c..%5cetc%5cpasswd', '/%00index.html', '/%E0%A4%A',
      '/assets/escape.txt',
    ]) {
      const res = await rawRequest({ port: mode.port, path });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.body, path).not.toContain('TOP SECRET');
      expect(res.body, path).not.toContain('root:');
    }
  });
});

describe('browser mode: /events', () => {
  it('needs the token', async () => {
    expect((await collectEvents(mode.port, '/events', () => true, 2000)).status).toBe(401);
    expect((await collectEvents(mode.port, '/events?token=wrong', () => true, 2000)).status).toBe(401);
  });

  it('streams desk events as server-sent events, and stops listening when the client leaves', async () => {
    const baseline = fake.listenerCount();
    const pending = collectEvents(mode.port, `/events?token=${encodeURIComponent(mode.token)}`, (ev) => ev.length >= 2);
    await expect.poll(() => fake.listenerCount()).toBe(baseline + 1);
    fake.emit('queue.changed', { reason: 'pull', itemIds: ['a'] });
    fake.emit('sync.status', { state: 'online', text: 'line1\nline2' });
    const got = await pending;
    expect(got.status).toBe(200);
    expect(got.contentType).toMatch(/^text\/event-stream/);
    expect(got.events).toEqual([
      { event: 'queue.changed', data: { reason: 'pull', itemIds: ['a'] } },
      { event: 'sync.status', data: { state: 'online', text: 'line1\nline2' } },
    ]);
    await expect.poll(() => fake.listenerCount()).toBe(baseline);
  });

  it('close() ends open event streams and stops listening', async () => {
    const local = recordingDispatcher();
    const m = await startBrowserMode({ core: local.dispatcher, staticDir: dir });
    const stream = collectEvents(m.port, `/events?token=${m.token}`, () => false, 20_000);
    await expect.poll(() => local.listenerCount()).toBe(1);
    await m.close();
    expect((await stream).endedBy).toBe('server');
    expect(local.listenerCount()).toBe(0);
    await expect(rawRequest({ port: m.port, path: '/' })).rejects.toThrow();
  });
});
