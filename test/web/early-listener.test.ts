// `npm start` takes its port and prints the launch URL before browser mode (Fastify) has loaded: requests that
// come meanwhile wait on the early listener and are answered by browser mode, with all its guards, once it
// takes the listener over; closing either frees the port (issue 15 gap 4).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeferredDispatcher } from '../../electron/web/deferred-dispatcher';
import { listenEarly } from '../../electron/web/early-listener';
import { startBrowserMode } from '../../electron/web/index';
import { rawRequest, rpc } from './http-client';

const dir = mkdtempSync(join(tmpdir(), 'desk-early-listener-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>desk</title>');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves when nothing listens on the port any more (a new listener can take it). */
const portIsFree = (port: number) => new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once('error', () => resolve(false));
  probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
});

describe('early listener', () => {
  it('holds requests that came before browser mode and has browser mode answer them, guards included', async () => {
    const listener = await listenEarly(0);
    let handedOver = false;
    const answeredAfterHandOver = <T>(p: Promise<T>) => p.then((r) => ({ handedOver, r }));
    const page = answeredAfterHandOver(rawRequest({ port: listener.port, path: '/' }));
    const otherHost = answeredAfterHandOver(rawRequest({ port: listener.port, path: '/', headers: { host: `evil.example:${listener.port}` } }));
    const noKey = answeredAfterHandOver(rpc(listener.port, null, 'session.get', {}));
    // The three connections are accepted (and wait) before browser mode exists.
    const token = 'k'.repeat(43);
    const web = await (async () => {
      const started = startBrowserMode({ core: createDeferredDispatcher(), staticDir: dir, listener, token });
      handedOver = true;
      return started;
    })();
    try {
      expect(web.port).toBe(listener.port);
      expect(web.launchUrl).toBe(`http://127.0.0.1:${listener.port}/#launch=${token}`);
      const [p, h, k] = await Promise.all([page, otherHost, noKey]);
      expect([p.handedOver, h.handedOver, k.handedOver]).toEqual([true, true, true]);
      expect({ status: p.r.status, body: p.r.body, csp: typeof p.r.headers['content-security-policy'] }).toEqual({ status: 200, body: '<!doctype html><title>desk</title>', csp: 'string' });
      expect(h.r.status).toBe(403);
      expect(k.r.status).toBe(401);
      // Later connections go straight to browser mode.
      expect((await rawRequest({ port: listener.port, path: '/index.html' })).status).toBe(200);
      // A request still being sent when the desk shuts down: close() ends its connection instead of waiting for it.
      const halfSent = connect(listener.port, '127.0.0.1').on('error', () => undefined);
      await new Promise((resolve) => halfSent.once('connect', resolve));
      halfSent.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${listener.port}\r\n`);
      const ended = new Promise((resolve) => halfSent.once('close', resolve));
      await web.close();
      await ended;
    } finally {
      await web.close();
    }
    await expect(rawRequest({ port: listener.port, path: '/' })).rejects.toThrow();
    expect(await portIsFree(listener.port)).toBe(true);
  });

  it('drops the requests still waiting when it is closed before any hand-over, and frees the port', async () => {
    const listener = await listenEarly(0);
    const waiting = rawRequest({ port: listener.port, path: '/' });
    // Closed once the connection is accepted and waiting, not before.
    await expect.poll(() => listener.waiting()).toBe(1);
    await listener.close();
    await expect(waiting).rejects.toThrow();
    expect(await portIsFree(listener.port)).toBe(true);
  });

  it('refuses a port that is taken', async () => {
    const first = await listenEarly(0);
    try {
      await expect(listenEarly(first.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});
