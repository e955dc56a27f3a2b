// The fault tools must really inject their faults, or the fault suites could pass vacuously. This checks
// the TCP proxy against a plain HTTP server that counts the requests it committed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { seededRandom } from '../helpers/seeded-random';

describe('fault tools: TCP proxy', () => {
  let server: http.Server;
  let committed = 0;
  let proxy: TcpProxy;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/slow') {
          setTimeout(() => res.end('slow'), 300);
          return;
        }
        committed += 1;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ committed }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    proxy = await startTcpProxy({ targetPort: (server.address() as AddressInfo).port });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((r) => server.close(r));
  });

  it('forwards requests both ways', async () => {
    const res = await fetch(`${proxy.url}/v1/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ committed: committed });
  });

  it('drops a response after the server committed the request', async () => {
    const before = committed;
    proxy.dropResponses(/^POST \/v1\/sync\/push/, 1);
    await expect(fetch(`${proxy.url}/v1/sync/push`, { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(committed).toBe(before + 1);
    expect(proxy.stats.responsesDropped).toBe(1);
    // Only the matched request, only once.
    expect((await fetch(`${proxy.url}/v1/sync/push`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect((await fetch(`${proxy.url}/v1/sync/pull`)).status).toBe(200);
  });

  it('stalls: nothing reaches the server until the stall ends', async () => {
    const before = committed;
    const stall = proxy.stall(400);
    const pending = fetch(`${proxy.url}/x`, { method: 'POST', body: 'a' });
    await new Promise((r) => setTimeout(r, 200));
    expect(committed).toBe(before);
    await stall;
    expect((await pending).status).toBe(200);
    expect(committed).toBe(before + 1);
  });

  it('stall then cut: the request never arrives and the client sees an error', async () => {
    const before = committed;
    const stall = proxy.stall(150, { thenCut: true });
    const pending = fetch(`${proxy.url}/y`, { method: 'POST', body: 'b' });
    await stall;
    await expect(pending).rejects.toThrow();
    expect(committed).toBe(before);
  });

  it('cuts open connections and refuses new ones while refusing', async () => {
    const slow = fetch(`${proxy.url}/slow`);
    await new Promise((r) => setTimeout(r, 100));
    expect(proxy.cutAll()).toBeGreaterThan(0);
    await expect(slow).rejects.toThrow();
    proxy.setRefusing(true);
    await expect(fetch(`${proxy.url}/z`)).rejects.toThrow();
    proxy.setRefusing(false);
    expect((await fetch(`${proxy.url}/z`)).status).toBe(200);
  });

  it('retargets to a restarted server on another port, keeping its own', async () => {
    const other = http.createServer((_req, res) => res.end('other'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    const port = proxy.port;
    proxy.setTarget((other.address() as AddressInfo).port);
    expect(await (await fetch(`${proxy.url}/`)).text()).toBe('other');
    expect(proxy.port).toBe(port);
    proxy.setTarget((server.address() as AddressInfo).port);
    await new Promise((r) => other.close(r));
  });

  it('seeded random replays the same sequence', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 20 }, () => a.int(0, 1000));
    expect(Array.from({ length: 20 }, () => b.int(0, 1000))).toEqual(xs);
    expect(new Set(xs).size).toBeGreaterThan(10);
  });
});
