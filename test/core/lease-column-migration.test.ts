// Migration 6 (issue 8 item 4): a cache made before the lease column existed gets each item's lease expiry
// from the JSON it already holds, so the offline warning counts leases pulled before the upgrade.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openCacheDb } from '../../electron/core/cache-db';
import { MIGRATIONS } from '../../electron/core/migrations';
import { tmpDir } from './core-fixture';

const cleanups: (() => void)[] = [];
afterEach(() => { for (const c of cleanups.splice(0)) c(); });

describe('cache migration 6: lease_expires_ms', () => {
  it('backfills the lease column from each item body (null when the item has no lease)', () => {
    const tmp = tmpDir('lease-col');
    cleanups.push(() => tmp.cleanup());
    const file = tmp.file('old.sqlite');
    const old = new Database(file);
    for (const m of MIGRATIONS.slice(0, 5)) old.exec(m);
    old.pragma('user_version = 5');
    const row = (id: string, lease: string | null) => {
      old.prepare(`INSERT INTO items (id, queue_id, class, status, assignee_id, sla_due_ms, enqueued_ms, sla_due_at, enqueued_at, confidence, title, title_lc, in_triage, server_version)
        VALUES (?, 'q', 'confidence', 'leased', 'alice', 0, 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL, 't', 't', 1, 1)`).run(id);
      const json = JSON.stringify({ id, leaseExpiresAt: lease });
      old.prepare('INSERT INTO item_bodies (id, json, server_json) VALUES (?, ?, ?)').run(id, json, json);
    };
    row('a', '2026-11-28T09:40:00.123Z');
    row('b', null);
    old.close();

    const db = openCacheDb(file);
    const rows = db.prepare('SELECT id, lease_expires_ms FROM items ORDER BY id').all();
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT COUNT(*) FROM items WHERE assignee_id = 'alice' AND in_triage = 1 AND lease_expires_ms > 0 AND lease_expires_ms <= 1`).all() as { detail: string }[];
    db.close();
    expect(rows).toEqual([{ id: 'a', lease_expires_ms: Date.parse('2026-11-28T09:40:00.123Z') }, { id: 'b', lease_expires_ms: null }]);
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/items_lease/);
  });
});
