// Boot order (issue 15 gap 4): with `firstPaintHoldMs`, a core that opens on a cache with work in it runs its
// first sync only after the renderer's first item is painted (app.startupMark), or once the hold runs out;
// an empty cache syncs at once (its first item comes from that sync). warmUp runs the renderer's first
// reads and changes nothing.
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core, CoreOptions } from '../../electron/core/index';
import { memorySecretStore } from '../../electron/core/secret-store';
import { firstSyncStarted, paintFirstItem } from '../helpers/first-paint';
import { startTestServer, type TestServer } from '../helpers/server';
import { demoCore, ok, tmpDir } from './core-fixture';

let server: TestServer;
const opened: Core[] = [];
const dirs: { cleanup(): void }[] = [];

beforeAll(async () => {
  server = await startTestServer({ seed: 'demo' });
});
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
  for (const d of dirs.splice(0)) d.cleanup();
});
afterAll(async () => {
  await server?.close();
});

/** A cache signed in as alice that holds her assigned items (synced once, then closed), and its token store. */
async function cacheWithWork(): Promise<{ file: string; secrets: ReturnType<typeof memorySecretStore> }> {
  const tmp = tmpDir('hold');
  dirs.push(tmp);
  const secrets = memorySecretStore();
  const file = tmp.file('cache.sqlite');
  const core = await demoCore(server.url, file, { secrets });
  await ok(core, 'session.connectDemo', { user: 'alice' });
  await ok(core, 'sync.now', {});
  expect((await ok(core, 'sync.status', {})).assigned).toBeGreaterThan(0);
  await core.close();
  return { file, secrets };
}

/** Opens a core with automatic sync; `log` gets 'sync started' when its first cycle begins. */
async function openWithSync(file: string, extra: Partial<CoreOptions>, log: string[]): Promise<{ core: Core; firstSync: Promise<void> }> {
  const core = await demoCore(server.url, file, { autoSync: true, ...extra });
  opened.push(core);
  // Attached before the first cycle can start: sync.start() kicks it from a timer, after createCore returns.
  const firstSync = firstSyncStarted(core, log);
  return { core, firstSync };
}

describe('first sync held for the first item painted', () => {
  it('a cache with work: the first sync waits for app.startupMark', async () => {
    const { file, secrets } = await cacheWithWork();
    const log: string[] = [];
    const { core, firstSync } = await openWithSync(file, { secrets, firstPaintHoldMs: 60_000 }, log);
    // The restored session is signed in and the cache answers at once.
    expect((await ok(core, 'session.get', {})).signedIn).toBe(true);
    await paintFirstItem(core, log);
    await firstSync;
    expect(log).toEqual(['first item painted', 'sync started']);
  });

  it("the bundle key request waits too: the core's first fetch (loading Node's fetch) comes after the first paint", async () => {
    const { file, secrets } = await cacheWithWork();
    const log: string[] = [];
    // The test server runs in this process: its requests are seen on Node's own HTTP diagnostics channel.
    const keyAsked = new Promise<void>((resolve) => {
      const onRequest = (message: unknown) => {
        if (!(message as { request: IncomingMessage }).request.url?.startsWith('/v1/bundles/key')) return;
        diagnostics.unsubscribe('http.server.request.start', onRequest);
        log.push('key asked');
        resolve();
      };
      diagnostics.subscribe('http.server.request.start', onRequest);
    });
    const core = await demoCore(server.url, file, { autoSync: true, secrets, firstPaintHoldMs: 60_000 });
    opened.push(core);
    expect((await ok(core, 'session.get', {})).signedIn).toBe(true);
    await paintFirstItem(core, log);
    await keyAsked;
    expect(log).toEqual(['first item painted', 'key asked']);
  });

  it('without a mark, the first sync starts once the hold runs out', async () => {
    const { file, secrets } = await cacheWithWork();
    const log: string[] = [];
    const opening = performance.now();
    const { firstSync } = await openWithSync(file, { secrets, firstPaintHoldMs: 300 }, log);
    await firstSync;
    // A lower bound set by a timer (never early), not a limit on how slow the machine may be.
    expect(performance.now() - opening).toBeGreaterThanOrEqual(290);
  });

  it('an empty cache syncs at once: its first item comes from that sync', async () => {
    const tmp = tmpDir('hold-empty');
    dirs.push(tmp);
    const log: string[] = [];
    const { core, firstSync } = await openWithSync(tmp.file('cache.sqlite'), { firstPaintHoldMs: 60_000 }, log);
    await ok(core, 'session.connectDemo', { user: 'alice' });
    await firstSync;
    expect(log).toEqual(['sync started']);
  });

  it('a core without firstPaintHoldMs syncs at once, as before', async () => {
    const { file, secrets } = await cacheWithWork();
    const log: string[] = [];
    const { firstSync } = await openWithSync(file, { secrets }, log);
    await firstSync;
    expect(log).toEqual(['sync started']);
  });
});

describe('warmUp', () => {
  it('runs the first reads and changes nothing: no item opened, no labor, the same answers after', async () => {
    const { file, secrets } = await cacheWithWork();
    const core = await demoCore(server.url, file, { secrets });
    opened.push(core);
    const before = {
      stats: await ok(core, 'stats.today', {}),
      status: await ok(core, 'sync.status', {}),
      next: await ok(core, 'triage.next', { fromItemId: null, direction: 'next' }),
    };
    const detail = await ok(core, 'item.get', { itemId: before.next.itemId! });
    await core.warmUp();
    expect(await ok(core, 'stats.today', {})).toEqual(before.stats);
    expect(await ok(core, 'sync.status', {})).toEqual(before.status);
    expect(await ok(core, 'item.get', { itemId: before.next.itemId! })).toEqual(detail);
    // Nothing was opened: no labor accrued on the first item.
    expect(detail.laborActiveMs).toBe(0);
  });

  it('on a closed core it does nothing and does not throw', async () => {
    const tmp = tmpDir('warm-closed');
    dirs.push(tmp);
    const core = await demoCore(server.url, tmp.file('cache.sqlite'));
    await core.close();
    await expect(core.warmUp()).resolves.toBeUndefined();
  });
});
