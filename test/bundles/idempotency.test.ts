// Decisions bundles go through the idempotent push path (DESIGN §11): the same bundle twice, an older one
// after a newer one and two desks' bundles interleaved leave every decision applied exactly once; a lease
// that ended before the file came back lands in the conflicts inbox with honest wording, and the decision
// can be resubmitted with its labor once the reviewer holds the item again.
import { writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { ok } from '../core/core-fixture';
import { TestClock } from '../helpers/demo-fixture';
import { b64, bundleWorld, type BundleWorld } from './bundle-fixture';

let world: BundleWorld | undefined;
afterEach(async () => { await world?.close(); world = undefined; });

async function decide(desk: Core, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { itemId } = await ok(desk, 'triage.next', { fromItemId: null });
    await ok(desk, 'triage.open', { itemId: itemId! });
    await ok(desk, 'triage.decide', { itemId: itemId!, kind: 'approve', payload: {} });
    ids.push(itemId!);
  }
  return ids;
}

async function exportTo(w: BundleWorld, desk: Core, name: string): Promise<string> {
  const out = await ok(desk, 'bundles.exportDecisions', {});
  const file = w.tmp.file(name);
  writeFileSync(file, Buffer.from(out.bundle, 'base64'));
  return file;
}

function outcomesOn(dbFile: string, itemIds: string[]): number[] {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    const q = db.prepare(`SELECT COUNT(*) AS n FROM decisions WHERE item_id = ? AND kind = 'approve'`);
    return itemIds.map((id) => (q.get(id) as { n: number }).n);
  } finally {
    db.close();
  }
}

describe('decisions bundles are idempotent', () => {
  it('twice, older after newer, and two desks interleaved: each decision once, none lost', async () => {
    const w = world = await bundleWorld();
    const alice = await w.offlineDesk('alice');
    const bob = await w.offlineDesk('bob');
    await ok(alice, 'bundles.importWork', { bundle: b64(await w.checkout('alice', 6, 24)) });
    await ok(bob, 'bundles.importWork', { bundle: b64(await w.checkout('bob', 6, 24)) });

    const a1Items = await decide(alice, 3);
    const a1 = await exportTo(w, alice, 'a1.bundle');
    const a2Items = await decide(alice, 3);
    const a2 = await exportTo(w, alice, 'a2.bundle');
    expect((await ok(alice, 'bundles.status', {})).unsettled).toBe(6);
    const bItems = await decide(bob, 4);
    const b1 = await exportTo(w, bob, 'b1.bundle');

    const r2 = await w.importDecisions(a2);
    expect(r2.text).toContain('6 applied, 0 duplicate');
    expect((await w.importDecisions(b1)).text).toContain('4 applied, 0 duplicate');
    const r1 = await w.importDecisions(a1);
    expect(r1.text).toContain('0 applied, 3 duplicate');
    expect((await w.importDecisions(a2)).text).toContain('0 applied, 6 duplicate');
    expect(outcomesOn(w.server.dbFile, [...a1Items, ...a2Items, ...bItems])).toEqual(Array(10).fill(1));

    // The older receipt first settles what it knows; the newer one the rest.
    expect(await ok(alice, 'bundles.importReceipt', { bundle: b64(r1.receipt) })).toEqual({ settled: 3, conflicts: 0, rejected: 0, alreadySettled: 0 });
    expect(await ok(alice, 'bundles.importReceipt', { bundle: b64(r2.receipt) })).toEqual({ settled: 3, conflicts: 0, rejected: 0, alreadySettled: 3 });
    expect((await ok(alice, 'sync.status', {})).pending).toBe(0);
    // Bob's receipt is not for alice's desk.
    const cross = await alice.call('bundles.importReceipt', { bundle: b64((await w.importDecisions(b1)).receipt) });
    expect(cross).toMatchObject({ ok: false, error: { code: 'bad_input', details: { bundleCode: 'wrong_client' } } });
  });

  it('more mutations on one item than one push settles: the import resumes and settles every one', async () => {
    const w = world = await bundleWorld();
    const alice = await w.offlineDesk('alice');
    await ok(alice, 'bundles.importWork', { bundle: b64(await w.checkout('alice', 1, 24)) });
    const { itemId } = await ok(alice, 'triage.next', { fromItemId: null });
    await ok(alice, 'triage.open', { itemId: itemId! });
    // 25 notes and an approval on one item: more than MAX_ITEM_MUTATIONS_PER_PUSH (20) in one push batch.
    for (let i = 0; i < 25; i++) await ok(alice, 'triage.decide', { itemId: itemId!, kind: 'note', payload: { text: `note ${i}` } });
    await ok(alice, 'triage.decide', { itemId: itemId!, kind: 'approve', payload: {} });
    const back = await w.importDecisions(await exportTo(w, alice, 'many.bundle'));
    expect(back.text).toContain('26 applied');
    expect(outcomesOn(w.server.dbFile, [itemId!])).toEqual([1]);
  });

  it('a lease that ended before the bundle came back: conflicts inbox, honest wording, resubmitted with its labor', async () => {
    const clock = new TestClock();
    const w = world = await bundleWorld({ now: clock.now });
    const alice = await w.offlineDesk('alice');
    await ok(alice, 'bundles.importWork', { bundle: b64(await w.checkout('alice', 2, 1)) });
    const [late] = await decide(alice, 1);
    const labor = (await ok(alice, 'item.get', { itemId: late })).decisions[0].labor;
    const file = await exportTo(w, alice, 'late.bundle');

    clock.advanceMinutes(120);
    expect(await w.server.server.sweepLeases()).toBe(2);
    const back = await w.importDecisions(file);
    expect(back.text).toContain('0 applied, 0 duplicate, 1 conflict');
    expect(outcomesOn(w.server.dbFile, [late])).toEqual([0]);

    expect(await ok(alice, 'bundles.importReceipt', { bundle: b64(back.receipt) })).toMatchObject({ conflicts: 1 });
    const [conflict] = (await ok(alice, 'conflicts.list', {})).conflicts;
    expect(conflict).toMatchObject({ itemId: late, code: 'lease_expired', status: 'conflict' });
    expect(conflict.message).toMatch(/lease ended before this decisions bundle reached the server.*not applied.*resubmit/);

    // The same reviewer holds the item again (a new bundle: same items, new epoch) and resubmits.
    await ok(alice, 'bundles.importWork', { bundle: b64(await w.checkout('alice', 2, 5)) });
    await ok(alice, 'conflicts.resolve', { conflictId: conflict.id, action: 'resubmit' });
    const again = await w.importDecisions(await exportTo(w, alice, 'resubmitted.bundle'));
    expect(again.text).toContain('1 applied');
    expect(outcomesOn(w.server.dbFile, [late])).toEqual([1]);
    await ok(alice, 'bundles.importReceipt', { bundle: b64(again.receipt) });
    const decisions = (await ok(alice, 'item.get', { itemId: late })).decisions;
    expect(decisions.at(-1)).toMatchObject({ state: 'settled', labor });
    expect((await ok(alice, 'sync.status', {})).pending).toBe(0);
  });
});
