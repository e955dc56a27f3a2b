// `override`: the queue owner replaces someone else's outcome in one transaction, with a reason (DESIGN §8).
// One `override` row on the decisions feed, rework on the log, and refusals for everyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../shared/domain';
import { applyMutationToItem } from '../../shared/item-effects';
import { mutationFor, newClientId } from '../helpers/central-client';
import { startDemoServer, type DemoServer } from '../helpers/demo-fixture';
import { openProbe } from '../helpers/db-snapshot';

let demo: DemoServer;
let queueId: string;
beforeAll(async () => {
  demo = await startDemoServer();
  queueId = demo.queues.find((q) => q.ownerId === demo.ids.olivia && q.id === 'invoices-ledger')!.id;
});
afterAll(async () => { await demo?.close(); });

/** alice claims one item of olivia's queue and approves it; returns the resolved item. */
async function aliceApproves(): Promise<Item> {
  const [item] = (await demo.as.alice.claim({ count: 1, queueIds: [queueId] })).items;
  const res = await demo.as.alice.push({ clientId: newClientId('alice'), mutations: [mutationFor('approve', item, 1, {})] });
  expect(res.results[0].status).toBe('applied');
  return res.results[0].item!;
}

const overrideBy = (item: Item, payload: Parameters<typeof mutationFor<'override'>>[3], mutationId = 1) =>
  mutationFor('override', item, mutationId, payload);

describe('override', () => {
  it('records the owner outcome in one step, as rework, with one feed row', async () => {
    const approved = await aliceApproves();
    const feedBefore = { cursor: await demo.as.ingest.decisionsCursorAtEnd() };
    const m = overrideBy(approved, { outcome: 'reject', reasonCode: 'vendor_unknown', reason: 'vendor is on the block list since Monday' });
    const res = await demo.as.olivia.push({ clientId: newClientId('olivia'), mutations: [m] });
    const r = res.results[0];
    // The desk's optimistic view (shared/item-effects.ts) is exactly what the server applied.
    expect(applyMutationToItem(approved, m, { userId: demo.ids.olivia, now: new Date().toISOString(), queues: new Map(demo.queues.map((q) => [q.id, q])) }))
      .toEqual(r.item);
    expect(r).toMatchObject({ status: 'applied', code: 'ok' });
    expect(r.item).toMatchObject({ status: 'resolved', assignmentEpoch: approved.assignmentEpoch + 1,
      outcome: { kind: 'reject', by: demo.ids.olivia, reasonCode: 'vendor_unknown', comment: 'vendor is on the block list since Monday' } });

    const feedAfter = await demo.as.ingest.decisions({ cursor: feedBefore.cursor, limit: 1000 });
    expect(feedAfter.decisions.filter((d) => d.itemId === approved.id)).toEqual([expect.objectContaining({
      kind: 'override', outcome: 'reject', by: demo.ids.olivia, reasonCode: 'vendor_unknown', comment: 'vendor is on the block list since Monday',
      assignmentEpoch: approved.assignmentEpoch + 1 })]);

    const db = await openProbe(demo.dbFile);
    try {
      const events = await db.all<{ type: string; payload: string }>(`SELECT type, payload FROM item_events WHERE item_id = ? ORDER BY seq`, approved.id);
      const tail = events.slice(-2).map((e) => ({ type: e.type, ...JSON.parse(e.payload) as Record<string, unknown> }));
      expect(tail[0]).toMatchObject({ type: 'reverted', override: true, rework: true, revertedEpoch: approved.assignmentEpoch });
      expect(tail[1]).toMatchObject({ type: 'decided', kind: 'reject', override: true, rework: true });
      const row = await db.get<{ revert_count: number }>(`SELECT revert_count FROM items WHERE id = ?`, approved.id);
      expect(row!.revert_count).toBe(1);
    } finally {
      await db.close();
    }

    // alice's revert of her (now overridden) approval is a conflict, not a second revert.
    const late = await demo.as.alice.push({ clientId: newClientId('alice'), mutations: [mutationFor('revert', approved, 1, {})] });
    expect(late.results[0]).toMatchObject({ status: 'conflict', code: 'resolved_elsewhere' });
  });

  it('is refused to a reviewer, to the owner of another path, on your own outcome and on a stale epoch', async () => {
    const approved = await aliceApproves();
    const payload = { outcome: 'correct' as const, correctedOutput: { total: 1190 }, reason: 'lines are right, total is wrong' };
    const byBob = await demo.as.bob.push({ clientId: newClientId('bob'), mutations: [overrideBy(approved, payload)] });
    expect(byBob.results[0]).toMatchObject({ status: 'rejected', code: 'not_assigned', item: null });
    const byOmar = await demo.as.omar.push({ clientId: newClientId('omar'), mutations: [overrideBy(approved, payload)] });
    expect(byOmar.results[0]).toMatchObject({ status: 'rejected', code: 'not_assigned', item: null });
    const stale = await demo.as.olivia.push({ clientId: newClientId('olivia'), mutations: [
      overrideBy(approved, payload, 1), overrideBy({ ...approved, assignmentEpoch: approved.assignmentEpoch + 1 }, { outcome: 'approve', reason: 'my own' }, 2),
      overrideBy(approved, { outcome: 'approve', reason: 'again' }, 3)] });
    expect(stale.results.map((r) => [r.status, r.code])).toEqual([['applied', 'ok'], ['rejected', 'invalid_transition'], ['conflict', 'stale_epoch']]);
    expect(stale.results[1].message).toMatch(/your own: revert it/);
  });

  it('needs a reason code of the queue to override to reject, and an outcome to override', async () => {
    const approved = await aliceApproves();
    const res = await demo.as.olivia.push({ clientId: newClientId('olivia'), mutations: [
      overrideBy(approved, { outcome: 'reject', reasonCode: 'not-a-code', reason: 'x' })] });
    expect(res.results[0]).toMatchObject({ status: 'rejected', code: 'unknown_reason_code' });
    const [open] = (await demo.as.bob.claim({ count: 1, queueIds: [queueId] })).items;
    const onOpen = await demo.as.olivia.push({ clientId: newClientId('olivia'), mutations: [overrideBy(open, { outcome: 'approve', reason: 'x' })] });
    expect(onOpen.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_transition' });
  });

  it('two concurrent overrides of one outcome: exactly one applies, the feed carries one', async () => {
    const approved = await aliceApproves();
    const feedBefore = { cursor: await demo.as.ingest.decisionsCursorAtEnd() };
    const [a, b, c] = await Promise.all([
      demo.as.olivia.push({ clientId: newClientId('olivia-a'), mutations: [overrideBy(approved, { outcome: 'reject', reasonCode: 'vendor_unknown', reason: 'a' })] }),
      demo.as.olivia.push({ clientId: newClientId('olivia-b'), mutations: [overrideBy(approved, { outcome: 'approve', reason: 'b' })] }),
      demo.as.alice.push({ clientId: newClientId('alice'), mutations: [mutationFor('revert', approved, 1, {})] }),
    ]);
    expect([a, b, c].filter((r) => r.results[0].status === 'applied')).toHaveLength(1);
    const feed = (await demo.as.ingest.decisions({ cursor: feedBefore.cursor, limit: 1000 })).decisions.filter((d) => d.itemId === approved.id);
    // The first to commit wins; whatever it was (an override or alice's revert), it is on the feed once and alone.
    expect(feed).toHaveLength(1);
    expect(['override', 'revert']).toContain(feed[0].kind);
  });
});
