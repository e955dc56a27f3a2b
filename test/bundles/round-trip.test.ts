// DESIGN §11 end to end at the core level: checkout 500 (server CLI) → import on an offline desk → decide
// → export → server import (CLI) → receipt → desk settled; every decision applied exactly once, and a
// bundle or receipt imported again changes nothing.
import { writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskInput } from '../../shared/desk-api';
import { ok } from '../core/core-fixture';
import { changedTables, snapshot } from '../helpers/db-snapshot';
import { b64, bundleWorld, type BundleWorld } from './bundle-fixture';

let world: BundleWorld;
beforeAll(async () => { world = await bundleWorld(); });
afterAll(async () => { await world?.close(); });

// The demo history re-decides items across epochs (reverts, rollbacks, overrides); "decided twice" is
// only meaningful for decisions recorded after the mark the test takes before its import.
function serverCounts(dbFile: string, clientId: string, sinceSeq = 0) {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    const one = (q: string, ...a: unknown[]) => (db.prepare(q).get(...a) as { n: number }).n;
    return {
      outcomes: one(`SELECT COUNT(*) AS n FROM decisions`),
      doubleOutcomes: one(`SELECT COUNT(*) AS n FROM (SELECT item_id FROM decisions WHERE seq > ? GROUP BY item_id HAVING COUNT(*) > 1)`, sinceSeq),
      lastSeq: one(`SELECT COALESCE(MAX(seq), 0) AS n FROM decisions`),
      settled: one(`SELECT COUNT(*) AS n FROM client_mutations WHERE client_id = ?`, clientId),
      applied: one(`SELECT COUNT(*) AS n FROM client_mutations WHERE client_id = ? AND status = 'applied'`, clientId),
      deferred: one(`SELECT COUNT(*) AS n FROM item_events WHERE type = 'deferred'`),
    };
  } finally {
    db.close();
  }
}

describe('work bundle → offline decisions → decisions bundle → receipt', () => {
  it('applies each of 500 decisions exactly once and settles the desk', async () => {
    const desk = await world.offlineDesk('alice');
    const workFile = await world.checkout('alice', 500, 72);
    const imported = await ok(desk, 'bundles.importWork', { bundle: b64(workFile) });
    expect(imported.items).toBe(500);
    const status = await ok(desk, 'bundles.status', {});
    expect(status.work).toMatchObject({ bundleId: imported.bundleId, items: 500, remaining: 500 });
    expect(Date.parse(status.work!.leaseExpiresAt) - Date.now()).toBeGreaterThan(71 * 3600_000);
    expect((await ok(desk, 'session.get', {})).signedIn).toBe(false);

    // Decide every item offline, in triage order: reject every 10th (a reason code of its queue), defer every 25th.
    const queues = new Map((await ok(desk, 'queue.list', {})).queues.map((q) => [q.id, q]));
    let itemId = (await ok(desk, 'triage.next', { fromItemId: null })).itemId;
    let n = 0;
    const kinds: Record<string, number> = {};
    while (itemId) {
      const detail = await ok(desk, 'triage.open', { itemId });
      n++;
      let input: DeskInput<'triage.decide'>;
      if (n % 25 === 0) input = { itemId, kind: 'defer', payload: {} };
      else if (n % 10 === 0) input = { itemId, kind: 'reject', payload: { reasonCode: queues.get(detail.item.queueId)!.reasonCodes[0].code } };
      else input = { itemId, kind: 'approve', payload: {} };
      kinds[input.kind] = (kinds[input.kind] ?? 0) + 1;
      itemId = (await ok(desk, 'triage.decide', input)).nextItemId;
    }
    expect(n).toBe(500);
    expect((await ok(desk, 'bundles.status', {})).work?.remaining).toBe(0);

    const exported = await ok(desk, 'bundles.exportDecisions', {});
    expect(exported).toMatchObject({ mutations: 500, firstMutationId: 1, lastMutationId: 500 });
    const decisionsFile = world.tmp.file(exported.fileName);
    writeFileSync(decisionsFile, Buffer.from(exported.bundle, 'base64'));
    const clientId = (await ok(desk, 'session.get', {})).clientId;

    const before = serverCounts(world.server.dbFile, clientId);
    const { receipt, text } = await world.importDecisions(decisionsFile);
    expect(text).toContain('500 applied, 0 duplicate, 0 conflict, 0 rejected');
    const after = serverCounts(world.server.dbFile, clientId, before.lastSeq);
    expect(after.outcomes - before.outcomes).toBe(kinds.approve + kinds.reject);
    expect(after).toMatchObject({ doubleOutcomes: 0, settled: 500, applied: 500, deferred: before.deferred + kinds.defer });

    const settled = await ok(desk, 'bundles.importReceipt', { bundle: b64(receipt) });
    expect(settled).toEqual({ settled: 500, conflicts: 0, rejected: 0, alreadySettled: 0 });
    expect((await ok(desk, 'sync.status', {})).pending).toBe(0);
    expect((await ok(desk, 'conflicts.list', {})).conflicts).toEqual([]);

    // The same decisions bundle again: answered from the stored results, no second effect anywhere.
    const effects = ['decisions', 'item_events', 'items', 'item_epochs', 'client_mutations', 'change_log'];
    const snap = snapshot(world.server.dbFile);
    const again = await world.importDecisions(decisionsFile);
    expect(again.text).toContain('0 applied, 500 duplicate');
    expect(changedTables(snap, snapshot(world.server.dbFile)).filter((t) => effects.includes(t))).toEqual([]);
    // Its receipt, and the first receipt again, settle nothing more.
    expect(await ok(desk, 'bundles.importReceipt', { bundle: b64(again.receipt) })).toMatchObject({ settled: 0, alreadySettled: 500 });
    expect(await ok(desk, 'bundles.importReceipt', { bundle: b64(receipt) })).toMatchObject({ settled: 0, alreadySettled: 500 });
    // And the work bundle cannot be imported twice.
    const twice = await desk.call('bundles.importWork', { bundle: b64(workFile) });
    expect(twice).toMatchObject({ ok: false, error: { code: 'bad_input', details: { bundleCode: 'already_imported' } } });
  });
});
