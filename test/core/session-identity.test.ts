// A desk binds its cache to the server's reported id, not its URL (issue 8, item 2), and opens on its
// cache whatever the server is doing (item 3): a restart with a new port, a restart without the token, a
// token entered while the server is down. Real servers on real SQLite files, real cores on real caches.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { createCore } from '../../electron/core/index';
import { startServer, type RunningServer } from '../../server/app';
import { startTestServer } from '../helpers/server';
import { demoCore, ok, tmpDir } from './core-fixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// The demo seed holds eight weeks of history, recorded on its simulated clock before this file started;
// the test's own decisions are those recorded since.
const TEST_START = new Date().toISOString();

function serverDecisions(dbFile: string): { item_id: string; kind: string; by: string }[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare('SELECT item_id, kind, by FROM decisions WHERE recorded_at >= ? ORDER BY seq').all(TEST_START) as { item_id: string; kind: string; by: string }[];
  } finally {
    db.close();
  }
}

async function decideSome(core: Core, n: number): Promise<string[]> {
  const decided: string[] = [];
  let itemId = (await ok(core, 'triage.next', { fromItemId: null })).itemId;
  for (let i = 0; i < n && itemId; i++) {
    decided.push(itemId);
    itemId = (await ok(core, 'triage.decide', { itemId, kind: 'approve' })).nextItemId;
  }
  expect(decided).toHaveLength(n);
  return decided;
}

/** The server again on a given port (a restart at the same URL); the caller owns the database file. */
function startOn(dbFile: string, port: number, seed?: 'demo'): Promise<RunningServer> {
  return startServer({ dbFile, port, seed, logger: false, validateResponses: true });
}

async function track<T extends { close(): Promise<void> }>(x: T): Promise<T> {
  cleanups.push(() => x.close());
  return x;
}

describe('a server is its reported id, not its URL', () => {
  it('the same server database on a new port (npm start after a crash) takes the unsynced decisions, exactly once', async () => {
    const tmp = tmpDir('identity-port');
    cleanups.push(() => tmp.cleanup());
    const dbFile = tmp.file('central.sqlite');
    const cacheFile = tmp.file('cache.sqlite');
    const first = await startTestServer({ seed: 'demo', dbFile });
    const core1 = await demoCore(first.url, cacheFile);
    await ok(core1, 'session.connectDemo', { user: 'alice' });
    await ok(core1, 'sync.now', {});
    const decided = await decideSome(core1, 3);
    await core1.close();
    await first.close();

    const second = await track(await startTestServer({ dbFile }));
    expect(second.url).not.toBe(first.url);
    const core2 = await track(await demoCore(second.url, cacheFile));
    const session = await ok(core2, 'session.connectDemo', { user: 'alice' });
    expect(session).toMatchObject({ signedIn: true, serverUrl: second.url, user: { id: 'alice' } });
    expect(await ok(core2, 'sync.now', {})).toMatchObject({ state: 'online', pending: 0, conflicts: 0 });
    expect(serverDecisions(dbFile).map((d) => d.item_id)).toEqual(decided);
  });

  it('another server at the same URL is refused while decisions are unsynced, and the sync sends nothing to it', async () => {
    const tmp = tmpDir('identity-other');
    cleanups.push(() => tmp.cleanup());
    const cacheFile = tmp.file('cache.sqlite');
    const first = await startTestServer({ seed: 'demo', dbFile: tmp.file('a.sqlite') });
    const port = first.server.port;
    const core = await track(await createCore({ cacheFile, autoSync: false, demo: { serverUrl: first.url } }));
    await ok(core, 'session.connectDemo', { user: 'alice' });
    await ok(core, 'sync.now', {});
    await decideSome(core, 2);
    await first.close();
    expect((await ok(core, 'sync.now', {})).state).toBe('offline');

    // A fresh demo database answers on the very same port: same URL, same user name, another server.
    const other = await track(await startOn(tmp.file('b.sqlite'), port, 'demo'));
    expect(other.url).toBe(first.url);
    // After an outage the connection checks who answers before it pushes: nothing leaves for another server.
    const status = await ok(core, 'sync.now', {});
    expect(status.state).toBe('unauthorized');
    expect(status.lastError).toMatch(/another server/);
    expect(status.pending).toBe(2);
    expect(serverDecisions(tmp.file('b.sqlite'))).toEqual([]);
    // Signing in again does not switch this cache to the other server either.
    const r = await core.call('session.connectDemo', { user: 'alice' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('conflict');
      expect(r.error.message).toMatch(/2 unsynced decision\(s\).*another server/);
    }
  });
});

describe('the desk opens on its cache without the server or the token', () => {
  it('restarted without its token while the server is down: the queue and pending decisions are there, work goes on, a token entered offline syncs when the server returns', async () => {
    const tmp = tmpDir('identity-offline');
    cleanups.push(() => tmp.cleanup());
    const dbFile = tmp.file('central.sqlite');
    const cacheFile = tmp.file('cache.sqlite');
    const first = await startTestServer({ seed: 'demo', dbFile });
    const url = first.url;
    const port = first.server.port;
    const core1 = await createCore({ cacheFile, autoSync: false });
    await ok(core1, 'session.connect', { serverUrl: url, token: 'demo-alice' });
    await ok(core1, 'sync.now', {});
    const before = await decideSome(core1, 2);
    await core1.close();
    await first.close();

    // Browser mode keeps the token in memory only: the new core has none, and the server is down.
    const core2 = await track(await createCore({ cacheFile, autoSync: false }));
    const session = await ok(core2, 'session.get', {});
    expect(session).toMatchObject({ signedIn: true, needsToken: true, serverUrl: url, user: { id: 'alice' } });
    const status = await ok(core2, 'sync.status', {});
    expect(status).toMatchObject({ state: 'unauthorized', pending: 2 });
    expect(status.lastError).toMatch(/enter it again/);
    expect(status.assigned).toBeGreaterThan(0);
    const page = await ok(core2, 'queue.page', { offset: 0, limit: 50, filter: { localStates: ['pending'] }, sort: { by: 'slaDue', dir: 'asc' } });
    expect(page.rows.map((r) => r.id).sort()).toEqual([...before].sort());
    const offline = await decideSome(core2, 1);

    // The token, entered while the server is still down: taken provisionally (the cache is this user's).
    const again = await ok(core2, 'session.connect', { serverUrl: url, token: 'demo-alice' });
    expect(again).toMatchObject({ signedIn: true, needsToken: false, user: { id: 'alice' } });
    expect((await ok(core2, 'sync.now', {})).state).toBe('offline');

    const back = await track(await startOn(dbFile, port));
    expect(back.url).toBe(url);
    expect(await ok(core2, 'sync.now', {})).toMatchObject({ state: 'online', pending: 0, conflicts: 0 });
    expect(serverDecisions(dbFile).map((d) => d.item_id)).toEqual([...before, ...offline]);
  });

  it('a token of another user entered offline is checked before anything is sent', async () => {
    const tmp = tmpDir('identity-wrong-user');
    cleanups.push(() => tmp.cleanup());
    const dbFile = tmp.file('central.sqlite');
    const cacheFile = tmp.file('cache.sqlite');
    const first = await startTestServer({ seed: 'demo', dbFile });
    const url = first.url;
    const port = first.server.port;
    const core1 = await createCore({ cacheFile, autoSync: false });
    await ok(core1, 'session.connect', { serverUrl: url, token: 'demo-alice' });
    await ok(core1, 'sync.now', {});
    await decideSome(core1, 1);
    await core1.close();
    await first.close();

    const core2 = await track(await createCore({ cacheFile, autoSync: false }));
    await ok(core2, 'session.connect', { serverUrl: url, token: 'demo-bob' });
    await track(await startOn(dbFile, port));
    const status = await ok(core2, 'sync.now', {});
    expect(status).toMatchObject({ state: 'unauthorized', pending: 1 });
    expect(status.lastError).toMatch(/signs in as bob.*sign in as alice/);
    expect(serverDecisions(dbFile)).toEqual([]);
  });

  it('a desk started with --server offers that URL before anyone signed in, and the last one used after sign-out', async () => {
    const tmp = tmpDir('identity-url');
    cleanups.push(() => tmp.cleanup());
    const server = await track(await startTestServer({ seed: 'demo' }));
    const core = await track(await createCore({ cacheFile: tmp.file('cache.sqlite'), autoSync: false, serverUrl: 'https://desk-api.example.com' }));
    expect(await ok(core, 'session.get', {})).toMatchObject({ signedIn: false, serverUrl: 'https://desk-api.example.com' });
    await ok(core, 'session.connect', { serverUrl: server.url, token: 'demo-alice' });
    expect(await ok(core, 'session.signOut', {})).toMatchObject({ signedIn: false, serverUrl: server.url });
  });
});
