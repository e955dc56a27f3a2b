// While the desk is offline the world moves: an item is reassigned, one is resolved from another
// client, a lease expires. On sync each decision lands in the conflicts inbox with the server's state,
// and nothing is lost: the decisions stay in the outbox history and can be discarded or resubmitted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { mutationFor, newClientId } from '../helpers/central-client';
import { startClockedDemoServer, TestClock, type DemoServer } from '../helpers/demo-fixture';
import { demoCore, ok, tmpDir } from './core-fixture';

let demo: DemoServer;
let core: Core;
const serverClock = new TestClock();
const tmp = tmpDir('conflicts');

beforeAll(async () => {
  demo = await startClockedDemoServer(serverClock);
  // The desk's wall clock follows the server's so leases look the same to both.
  core = await demoCore(demo.url, tmp.file('cache.sqlite'), { clock: { monotonicMs: () => performance.now(), now: serverClock.now } });
  await ok(core, 'session.connectDemo', { user: 'alice' });
  await ok(core, 'settings.set', { claimTargetSize: 8 });
  await ok(core, 'sync.now', {});
});
afterAll(async () => {
  await core?.close();
  await demo?.close();
  tmp.cleanup();
});

async function assignedIds(): Promise<string[]> {
  const page = await ok(core, 'queue.page', { filter: { statuses: ['leased'], localStates: ['none'] }, limit: 100 });
  return page.rows.map((r) => r.id);
}

describe('conflicts', () => {
  it('reassigned, resolved elsewhere, lease expired: each lands in the inbox with the server item; nothing is lost', async () => {
    const ids = await assignedIds();
    expect(ids.length).toBe(8);
    const [reassigned, elsewhere, expired, fine] = ids;

    // Offline (no sync): alice decides four items.
    const reason = (await ok(core, 'item.get', { itemId: elsewhere })).queue!.reasonCodes[0].code;
    const mReassigned = await ok(core, 'triage.decide', { itemId: reassigned, kind: 'approve', payload: { comment: 'looks right' } });
    const mElsewhere = await ok(core, 'triage.decide', { itemId: elsewhere, kind: 'reject', payload: { reasonCode: reason } });
    const mExpired = await ok(core, 'triage.decide', { itemId: expired, kind: 'correct', payload: { correctedOutput: { total: 42 } } });
    const mFine = await ok(core, 'triage.decide', { itemId: fine, kind: 'approve' });

    // Meanwhile: sam reassigns one to bob; alice's other desk approves another; the clock runs past the leases.
    await demo.as.sam.assign({ itemIds: [reassigned], assigneeId: demo.ids.bob });
    const otherDesk = newClientId('other-desk');
    const serverElsewhere = (await demo.as.alice.pull({ clientId: otherDesk })).upserts.find((i) => i.id === elsewhere)!;
    const pushed = await demo.as.alice.push({ clientId: otherDesk, mutations: [mutationFor('approve', serverElsewhere, 1, {})] });
    expect(pushed.results[0].status).toBe('applied');
    // `fine` keeps a live lease: renew it by having sam assign it to alice again after the clock moves.
    serverClock.advanceMinutes(31);
    await demo.as.sam.assign({ itemIds: [fine], assigneeId: demo.ids.alice });

    const status = await ok(core, 'sync.now', {});
    expect(status.state).toBe('online');
    expect(status.pending).toBe(0);

    const { conflicts } = await ok(core, 'conflicts.list', {});
    const byItem = new Map(conflicts.map((c) => [c.itemId, c]));
    // The server shows an item only to whom may still see it: bob's item comes back without its state.
    expect(byItem.get(reassigned)).toMatchObject({
      mutationId: mReassigned.mutationId, kind: 'approve', status: 'conflict', code: 'reassigned', payload: { comment: 'looks right' },
      serverItem: null, message: expect.stringMatching(/reassigned/),
    });
    expect(byItem.get(elsewhere)).toMatchObject({
      mutationId: mElsewhere.mutationId, kind: 'reject', status: 'conflict', code: 'resolved_elsewhere', payload: { reasonCode: reason },
      serverItem: { id: elsewhere, status: 'resolved', outcome: { kind: 'approve' } },
    });
    // `expired`: its lease ran out (lease_expired); the top-up claim leased it to alice again under a new epoch,
    // so the desk resubmitted the correction by itself, with its labor, and it applied (issue 8 item 4).
    const expiredDetail = await ok(core, 'item.get', { itemId: expired });
    expect(expiredDetail.decisions[0].mutationId).toBe(mExpired.mutationId);
    expect(expiredDetail.decisions.map((d) => [d.kind, d.state, d.resultCode])).toEqual([['correct', 'conflict', 'lease_expired'], ['correct', 'settled', 'ok']]);
    expect(expiredDetail.decisions[1].labor).toEqual(expiredDetail.decisions[0].labor);
    expect(expiredDetail.decisions[1].payload).toEqual({ correctedOutput: { total: 42 } });
    expect(byItem.has(expired)).toBe(false);
    // `fine` was decided under its first lease, which ran out: a lease_expired conflict, never silently dropped;
    // as sam gave it back to alice under a new lease, the desk resubmitted it by itself, with its labor, and it applied.
    const fineDetail = await ok(core, 'item.get', { itemId: fine });
    expect(fineDetail.decisions.find((d) => d.mutationId === mFine.mutationId)).toMatchObject({ state: 'conflict', resultCode: 'lease_expired' });
    expect(fineDetail.decisions.at(-1)).toMatchObject({ kind: 'approve', state: 'settled', resultCode: 'ok' });
    expect(fineDetail.item.status).toBe('resolved');
    expect(conflicts.length).toBe(2);
    expect(status.conflicts).toBe(2);

    // Nothing lost: every decision is still in the desk's history with its result, and the items show the conflict.
    for (const [itemId, m] of [[reassigned, mReassigned], [elsewhere, mElsewhere]] as const) {
      const d = await ok(core, 'item.get', { itemId });
      expect(d.localState).toBe('conflict');
      expect(d.decisions.find((x) => x.mutationId === m.mutationId)).toMatchObject({ state: 'conflict' });
    }
    // Server data is the server's: the reassigned item is no longer alice's, and it left her triage set.
    expect((await ok(core, 'item.get', { itemId: reassigned })).item.assigneeId).not.toBe(demo.ids.alice);
    const triage = [];
    for (let id = (await ok(core, 'triage.next', {})).itemId; id; id = (await ok(core, 'triage.next', { fromItemId: id })).itemId) triage.push(id);
    expect(triage).not.toContain(reassigned);
    expect(triage).not.toContain(elsewhere);

    // Resolution: discard one.
    await ok(core, 'conflicts.resolve', { conflictId: byItem.get(elsewhere)!.id, action: 'discard' });
    const again = await ok(core, 'sync.now', {});
    expect(again).toMatchObject({ pending: 0, conflicts: 1 });
    const left = (await ok(core, 'conflicts.list', {})).conflicts.map((c) => c.itemId).sort();
    expect(left).toEqual([reassigned]);
    expect(await ok(core, 'conflicts.resolve', { conflictId: byItem.get(elsewhere)!.id, action: 'discard' }).catch((e: Error) => e.message))
      .toMatch(/not_found/);
  });
});
