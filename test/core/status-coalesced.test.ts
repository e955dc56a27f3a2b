// sync.status events are coalesced (issue 15 gap 2): each one re-counts the outbox and the leases on the core's
// thread, where the next key's decision waits behind it, and a burst of keys with sync answers emitted 2-4 per
// decision. Counts and progress go out at most once per STATUS_COALESCE_MS, at its end, with the counts as they
// stand then; state changes go out at the end of their turn of the event loop, never skipped.
import { afterEach, describe, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { STATUS_COALESCE_MS } from '../../electron/core/sync-engine';
import type { SyncStatus } from '../../shared/desk-api';
import { closedAfterEach, demoCore, ok, scriptedServer, scriptItem, scriptPage, sendJson, tmpDir } from './core-fixture';

const open = closedAfterEach(afterEach);

describe('sync.status events', () => {
  it('a burst of decisions, one per turn of the event loop, sends one status per window, and the last one has every decision counted', async () => {
    const n = 30;
    const server = await scriptedServer((path, _body, _req, res) => {
      if (path === '/v1/sync/pull') return sendJson(res, 200, scriptPage({ reset: true, upserts: Array.from({ length: n }, (_, i) => scriptItem(i + 1)) }));
      sendJson(res, 404, { type: 'x', title: 'not found', status: 404 });
    });
    const tmp = tmpDir('status-coalesced');
    const core = await demoCore(server.url, tmp.file('cache.sqlite'));
    open.push({ core, close: server.close, cleanup: tmp.cleanup });
    await ok(core, 'session.connect', { serverUrl: server.url, token: 't' });
    await ok(core, 'sync.now', {});
    const seen: SyncStatus[] = [];
    let allCounted: () => void = () => undefined;
    const counted = new Promise<void>((resolve) => { allCounted = resolve; });
    core.onEvent((name, payload) => {
      if (name !== 'sync.status') return;
      seen.push(payload as SyncStatus);
      if ((payload as SyncStatus).pending === n) allCounted();
    });
    await nextTurn();
    seen.length = 0;
    const t0 = performance.now();
    for (let i = 1; i <= n; i++) {
      await ok(core, 'triage.decide', { itemId: `itm-${i}`, kind: 'approve', payload: {} });
      await nextTurn();
    }
    await counted;
    const windows = Math.ceil((performance.now() - t0) / STATUS_COALESCE_MS);
    // One per window at most (each decision used to send its own), and the last one is current.
    expect(seen.length).toBeLessThanOrEqual(windows + 1);
    expect(seen.at(-1)!.pending).toBe(n);
    expect((await ok(core, 'sync.status', {})).pending).toBe(n);
  });
});
