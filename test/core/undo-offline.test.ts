// Undo after an offline decision (found by the e2e suite): the automatic push ~25 ms after each decision
// used to mark outbox rows `sent` even when the connection was refused, so undo sent a `revert` for a
// decision the server never saw. "Sent" may only stand when the request could have reached the server.
import Database from 'better-sqlite3';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { CentralClient, NetworkError } from '../../electron/core/central-client';
import { startServer, type RunningServer } from '../../server/app';
import { startTestServer } from '../helpers/server';
import { demoCore, ok, scriptedServer, scriptItem, scriptPage, sendJson, tmpDir } from './core-fixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// The demo seed holds eight weeks of history, recorded on its simulated clock before this file started;
// the test's own decisions are those recorded since.
const TEST_START = new Date().toISOString();

async function pendingRows(cacheFile: string): Promise<{ mutation_id: number; item_id: string; state: string }[]> {
  const db = new Database(cacheFile, { readonly: true });
  try {
    return db.prepare(`SELECT mutation_id, item_id, state FROM mutations ORDER BY mutation_id`).all() as { mutation_id: number; item_id: string; state: string }[];
  } finally {
    db.close();
  }
}

describe('undo of a decision made offline', () => {
  it('server stopped: three decisions stay pending, undo takes the last out of the outbox, only two reach the server', async () => {
    const tmp = tmpDir('undo-offline');
    cleanups.push(() => tmp.cleanup());
    const dbFile = tmp.file('central.sqlite');
    const first = await startTestServer({ seed: 'demo', dbFile });
    const port = first.server.port;
    const core = await demoCore(first.url, tmp.file('cache.sqlite'), { autoSync: true, backoff: { baseMs: 20, capMs: 200 } });
    cleanups.push(() => core.close());
    await ok(core, 'session.connectDemo', { user: 'alice' });
    expect((await ok(core, 'sync.now', {})).assigned).toBeGreaterThanOrEqual(3);
    await first.close();
    // Offline means refused: wait until the engine sees it (a socket kept alive from before the close can
    // fail differently for a moment, and such a failure may have reached the server: it stays `sent`).
    const refusedBy = Date.now() + 10_000;
    while (!/ECONNREFUSED/.test((await ok(core, 'sync.now', {})).lastError ?? '') && Date.now() < refusedBy) {
      await new Promise((r) => setTimeout(r, 20));
    }

    // Offline: three decisions, each followed by the automatic push, which the closed port refuses.
    const decided: string[] = [];
    let itemId = (await ok(core, 'triage.next', { fromItemId: null })).itemId!;
    for (let i = 0; i < 3; i++) {
      decided.push(itemId);
      itemId = (await ok(core, 'triage.decide', { itemId, kind: 'approve' })).nextItemId!;
    }
    // One more full push attempt after all three decisions (it waits for any automatic one in flight).
    const offline = await ok(core, 'sync.now', {});
    expect(offline).toMatchObject({ state: 'offline', pending: 3 });
    expect(offline.lastError).toMatch(/ECONNREFUSED/);
    expect((await pendingRows(tmp.file('cache.sqlite'))).map((r) => r.state)).toEqual(['pending', 'pending', 'pending']);

    const undo = await ok(core, 'triage.undo', {});
    expect(undo).toMatchObject({ via: 'outbox', undone: { itemId: decided[2], kind: 'approve', mutationId: 3 } });
    expect((await ok(core, 'sync.status', {})).pending).toBe(2);
    expect((await ok(core, 'item.get', { itemId: decided[2] })).item.status).toBe('leased');

    // The server comes back on the same port: the two remaining decisions, and nothing else, reach it.
    let second: RunningServer | null = await startServer({ dbFile, port, logger: false });
    cleanups.push(() => second?.close());
    const deadline = Date.now() + 15_000;
    let status = await ok(core, 'sync.now', {});
    while (status.pending > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      status = await ok(core, 'sync.now', {});
    }
    expect(status).toMatchObject({ state: 'online', pending: 0, conflicts: 0 });
    await second.close();
    second = null;

    const db = new Database(dbFile, { readonly: true });
    try {
      const decisions = db.prepare(`SELECT item_id, kind FROM decisions WHERE by = 'alice' AND recorded_at >= ? ORDER BY seq`).all(TEST_START);
      expect(decisions).toEqual([{ item_id: decided[0], kind: 'approve' }, { item_id: decided[1], kind: 'approve' }]);
      const mutations = db.prepare(`SELECT mutation_id, item_id, kind FROM client_mutations WHERE at >= ? ORDER BY mutation_id`).all(TEST_START);
      expect(mutations).toEqual([
        { mutation_id: 1, item_id: decided[0], kind: 'approve' },
        { mutation_id: 2, item_id: decided[1], kind: 'approve' },
      ]);
      const third = db.prepare(`SELECT status, assignee_id FROM items WHERE id = ?`).get(decided[2]);
      expect(third).toEqual({ status: 'leased', assignee_id: 'alice' });
    } finally {
      db.close();
    }
  });

  it('a push that reached the server but lost its answer stays sent: undo queues a revert', async () => {
    let pushes = 0;
    const server = await scriptedServer((path, _body, _req, res) => {
      if (path === '/v1/sync/pull') return sendJson(res, 200, scriptPage({ reset: true, upserts: [scriptItem(1), scriptItem(2)] }));
      if (path === '/v1/sync/push') { pushes++; return res.destroy(); } // received, maybe committed, answer lost
      sendJson(res, 404, { type: 'x', title: 'not found', status: 404 });
    });
    cleanups.push(() => server.close());
    const tmp = tmpDir('undo-sent');
    cleanups.push(() => tmp.cleanup());
    const core: Core = await demoCore(server.url, tmp.file('cache.sqlite'), { autoSync: false });
    cleanups.push(() => core.close());
    await ok(core, 'session.connect', { serverUrl: server.url, token: 't' });
    await ok(core, 'sync.now', {});
    await ok(core, 'triage.decide', { itemId: 'itm-1', kind: 'approve' });
    expect(await ok(core, 'sync.now', {})).toMatchObject({ state: 'offline', pending: 1 });
    expect(pushes).toBe(1);
    expect((await pendingRows(tmp.file('cache.sqlite'))).map((r) => r.state)).toEqual(['sent']);
    const undo = await ok(core, 'triage.undo', {});
    expect(undo).toMatchObject({ via: 'revert', undone: { itemId: 'itm-1', mutationId: 1 } });
  });
});

describe('NetworkError.neverSent (real sockets)', () => {
  async function listen(server: Server): Promise<string> {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  async function pushError(url: string, timeoutMs = 5_000): Promise<NetworkError> {
    const client = new CentralClient({ baseUrl: url, token: 't', timeoutMs });
    const e = await client.push({ clientId: '00000000-0000-4000-8000-000000000000', mutations: [] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetworkError);
    return e as NetworkError;
  }

  it('refused connection: never sent', async () => {
    const probe = createServer();
    const url = await listen(probe);
    await new Promise<void>((r) => probe.close(() => r()));
    const e = await pushError(url);
    expect(e.message).toMatch(/ECONNREFUSED/);
    expect(e.neverSent).toBe(true);
  });

  it('unknown host: never sent', async () => {
    const e = await pushError('http://no-such-host.invalid:8080');
    expect(e.neverSent).toBe(true);
  });

  it('reset after the request arrived, or a timeout after connecting: may have reached the server', async () => {
    const reset = await pushError(await listen(createServer((req) => req.socket.destroy())));
    expect(reset.neverSent).toBe(false);
    const silent = await pushError(await listen(createServer(() => { /* never answers */ })), 300);
    expect(silent.message).toMatch(/timed out/);
    expect(silent.neverSent).toBe(false);
  });
});
