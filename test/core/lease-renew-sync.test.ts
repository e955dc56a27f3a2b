// Leases renewed while online, warned about while offline (issue 8 item 4, issue 12 item 5): a sync renews
// the held items whose lease ends within a quarter of the lease setting, in one call, same epoch; offline,
// the sync status counts the triage leases ending within 10 minutes (from the cache's lease column).
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/index';
import { startTestServer } from '../helpers/server';
import { FakeClock, ok, tmpDir } from './core-fixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('lease renewal by the sync engine', () => {
  it('renews leases near expiry on a sync while online; offline the status counts the ones ending soon', async () => {
    const tmp = tmpDir('lease-renew');
    cleanups.push(() => tmp.cleanup());
    const clock = new FakeClock();
    const server = await startTestServer({ seed: 'demo', now: clock.now, sweepIntervalMs: 3_600_000 });
    let serverUp = true;
    cleanups.push(() => (serverUp ? server.close() : undefined));
    const cacheFile = tmp.file('cache.sqlite');
    const core = await createCore({ cacheFile, autoSync: false, clock });
    cleanups.push(() => core.close());
    await ok(core, 'settings.set', { claimTargetSize: 3, leaseMinutes: 40 });
    await ok(core, 'session.connect', { serverUrl: server.url, token: 'demo-alice' });
    const first = await ok(core, 'sync.now', {});
    expect(first).toMatchObject({ assigned: 3, leasesExpiringSoon: 0 });

    const serverRows = () => {
      const db = new Database(server.dbFile, { readonly: true });
      try {
        return db.prepare(`SELECT id, assignment_epoch, lease_expires_at FROM items WHERE assignee_id = 'alice' AND status = 'leased' ORDER BY id`)
          .all() as { id: string; assignment_epoch: number; lease_expires_at: string }[];
      } finally { db.close(); }
    };
    const claimed = serverRows();
    expect(claimed).toHaveLength(3);

    // 25 minutes on: 15 left, more than a quarter of 40; a sync renews nothing.
    clock.advance(25 * 60_000);
    await ok(core, 'sync.now', {});
    expect(serverRows()).toEqual(claimed);

    // 32 minutes on: 8 left, within a quarter of 40 and within 10 minutes: the status warns; a sync renews.
    clock.advance(7 * 60_000);
    expect(await ok(core, 'sync.status', {})).toMatchObject({ leasesExpiringSoon: 3 });
    const renewedStatus = await ok(core, 'sync.now', {});
    expect(renewedStatus).toMatchObject({ state: 'online', assigned: 3, leasesExpiringSoon: 0 });
    const renewed = serverRows();
    const expected = new Date(clock.now().getTime() + 40 * 60_000).toISOString();
    expect(renewed).toEqual(claimed.map((r) => ({ ...r, lease_expires_at: expected })));
    // The cache holds the new expiry, in the item and in its own column.
    const item = await ok(core, 'item.get', { itemId: claimed[0].id });
    expect(item.item.leaseExpiresAt).toBe(expected);

    // Offline: nobody renews; 32 minutes on, the status counts the three leases ending within 10 minutes.
    await server.close();
    serverUp = false;
    clock.advance(32 * 60_000);
    const offline = await ok(core, 'sync.now', {});
    expect(offline.state).not.toBe('online');
    expect(offline.leasesExpiringSoon).toBe(3);
    // Past the end, they no longer count as "ending soon" (they have ended).
    clock.advance(9 * 60_000);
    expect((await ok(core, 'sync.status', {})).leasesExpiringSoon).toBe(0);
    const cache = new Database(cacheFile, { readonly: true });
    const col = cache.prepare('SELECT lease_expires_ms FROM items WHERE id = ?').get(claimed[0].id) as { lease_expires_ms: number };
    cache.close();
    expect(col.lease_expires_ms).toBe(Date.parse(expected));
  });
});
