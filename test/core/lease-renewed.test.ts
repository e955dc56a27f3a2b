// A decision made under a lease that ran out is resubmitted by itself, keeping its labor, when the same
// reviewer holds the item again under a new epoch (issue 8, item 4, in part). Real server with a settable
// clock, real core on a real cache.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/index';
import { startTestServer } from '../helpers/server';
import { ok, tmpDir } from './core-fixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a lease that ran out while the decision waited', () => {
  it('the item leased to the same reviewer again: the decision goes back by itself with its labor, once', async () => {
    const tmp = tmpDir('lease-renewed');
    cleanups.push(() => tmp.cleanup());
    let skewMs = 0;
    const server = await startTestServer({ seed: 'demo', now: () => new Date(Date.now() + skewMs) });
    cleanups.push(() => server.close());
    const core = await createCore({ cacheFile: tmp.file('cache.sqlite'), autoSync: false });
    cleanups.push(() => core.close());
    await ok(core, 'settings.set', { claimTargetSize: 3, leaseMinutes: 5 });
    await ok(core, 'session.connect', { serverUrl: server.url, token: 'demo-alice' });
    await ok(core, 'sync.now', {});
    const itemId = (await ok(core, 'triage.next', { fromItemId: null })).itemId!;
    const before = await ok(core, 'item.get', { itemId });
    await ok(core, 'triage.open', { itemId });
    await ok(core, 'triage.decide', { itemId, kind: 'approve', payload: {} });
    const labor = (await ok(core, 'item.get', { itemId })).decisions[0].labor;

    // The lease runs out on the server before the decision gets there; the sweep sends the item back.
    skewMs = 10 * 60_000;
    expect(await server.server.sweepLeases()).toBeGreaterThan(0);
    const status = await ok(core, 'sync.now', {});
    expect(status).toMatchObject({ pending: 0, conflicts: 0 });

    const db = new Database(server.dbFile, { readonly: true });
    const rows = db.prepare('SELECT assignment_epoch FROM decisions WHERE item_id = ? AND by = ?').all(itemId, 'alice') as { assignment_epoch: number }[];
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0].assignment_epoch).toBeGreaterThan(before.item.assignmentEpoch);
    const decisions = (await ok(core, 'item.get', { itemId })).decisions;
    const applied = decisions.filter((d) => d.state === 'settled');
    expect(applied).toHaveLength(1);
    expect(applied[0].labor).toEqual(labor);
    expect(decisions.find((d) => d.resultCode === 'lease_expired')).toBeDefined();
  });
});
