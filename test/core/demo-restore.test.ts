// `npm start` opens the desk on its cache before its embedded demo server listens (issue 15 gap 4): a cache
// whose session is a demo session comes back signed in at this launch's demo URL with the demo token, without
// a request, and every sync cycle waits for the server (CoreOptions.syncHold). The first sync still asks the
// server who it is before it sends anything. Real servers on real SQLite files, real cores on real caches.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core/index';
import { startServer, type RunningServer } from '../../server/app';
import { startTestServer } from '../helpers/server';
import { demoCore, ok, tmpDir } from './core-fixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TEST_START = new Date().toISOString();

function serverDecisions(dbFile: string): string[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT item_id FROM decisions WHERE recorded_at >= ? ORDER BY seq').all(TEST_START) as { item_id: string }[]).map((r) => r.item_id);
  } finally {
    db.close();
  }
}

async function track<T extends { close(): Promise<void> }>(x: T): Promise<T> {
  cleanups.push(() => x.close());
  return x;
}

/** A free port on 127.0.0.1: a server started and stopped (the next server of the test takes it). */
async function freePort(dbFile: string): Promise<number> {
  const probe = await startServer({ dbFile, port: 0, logger: false });
  const port = probe.port;
  await probe.close();
  return port;
}

/** A cache that signed in to the demo (alice), synced and decided `n` items offline; its server is stopped. */
async function demoCacheWithPending(dbFile: string, cacheFile: string, n: number): Promise<string[]> {
  const first = await startTestServer({ seed: 'demo', dbFile });
  const core = await demoCore(first.url, cacheFile);
  await ok(core, 'session.connectDemo', { user: 'alice' });
  await ok(core, 'sync.now', {});
  await first.close();
  const decided: string[] = [];
  let itemId = (await ok(core, 'triage.next', { fromItemId: null })).itemId;
  for (let i = 0; i < n && itemId; i++) {
    decided.push(itemId);
    itemId = (await ok(core, 'triage.decide', { itemId, kind: 'approve' })).nextItemId;
  }
  await core.close();
  expect(decided).toHaveLength(n);
  return decided;
}

// Each test seeds a demo database (about 3 s, but 56 s of the default 60 at load 22 on this 2-core machine).
describe('a demo session comes back at this launch\'s demo server', { timeout: 150_000 }, () => {
  it('signed in from the cache at the new URL, without the server; the held sync runs once the server listens, and lands the decisions once', async () => {
    const tmp = tmpDir('demo-restore');
    cleanups.push(() => tmp.cleanup());
    const dbFile = tmp.file('central.sqlite');
    const cacheFile = tmp.file('cache.sqlite');
    const decided = await demoCacheWithPending(dbFile, cacheFile, 2);

    const port = await freePort(tmp.file('probe.sqlite'));
    const url = `http://127.0.0.1:${port}`;
    let listening: () => void = () => undefined;
    const serverUp = new Promise<void>((resolve) => { listening = resolve; });
    // No token in this core's store (browser mode keeps none), and nothing listens at the URL yet.
    const core: Core = await track(await createCore({ cacheFile, demo: { serverUrl: url }, syncHold: serverUp }));
    expect(await ok(core, 'session.get', {})).toMatchObject({ signedIn: true, needsToken: false, demo: true, serverUrl: url, user: { id: 'alice' } });
    expect((await ok(core, 'triage.next', { fromItemId: null })).itemId).not.toBeNull();

    // A sync asked for now waits for the server instead of failing and backing off.
    let synced = false;
    const syncing = ok(core, 'sync.now', {}).then((s) => { synced = true; return s; });
    await new Promise((r) => setTimeout(r, 200));
    expect(synced).toBe(false);
    expect(serverDecisions(dbFile)).toEqual([]);

    const server: RunningServer = await track(await startServer({ dbFile, port, logger: false, validateResponses: true }));
    expect(server.url).toBe(url);
    listening();
    expect(await syncing).toMatchObject({ state: 'online', pending: 0, conflicts: 0 });
    expect(serverDecisions(dbFile)).toEqual(decided);
  });

  it('a core started without a demo server restores a demo session waiting for its token, as before', async () => {
    const tmp = tmpDir('demo-restore-token');
    cleanups.push(() => tmp.cleanup());
    const dbFile = tmp.file('central.sqlite');
    const cacheFile = tmp.file('cache.sqlite');
    await demoCacheWithPending(dbFile, cacheFile, 1);
    const core = await track(await createCore({ cacheFile, autoSync: false }));
    expect(await ok(core, 'session.get', {})).toMatchObject({ signedIn: true, needsToken: true, demo: true, user: { id: 'alice' } });
  });

  it('another demo database behind the URL (the demo data deleted and seeded again) is refused by the first sync: nothing is sent to it', async () => {
    const tmp = tmpDir('demo-restore-other');
    cleanups.push(() => tmp.cleanup());
    const cacheFile = tmp.file('cache.sqlite');
    await demoCacheWithPending(tmp.file('a.sqlite'), cacheFile, 2);
    const other = await startTestServer({ seed: 'demo', dbFile: tmp.file('b.sqlite') });
    cleanups.push(() => other.close());
    const core = await track(await createCore({ cacheFile, demo: { serverUrl: other.url }, autoSync: false }));
    expect(await ok(core, 'session.get', {})).toMatchObject({ signedIn: true, needsToken: false, serverUrl: other.url });
    const status = await ok(core, 'sync.now', {});
    expect(status.state).toBe('unauthorized');
    expect(status.lastError).toMatch(/another server/);
    expect(status.pending).toBe(2);
    expect(serverDecisions(tmp.file('b.sqlite'))).toEqual([]);
  });
});
