// The reviewer's round trip against the real server: claim, first pull, push of every mutation kind,
// replayed pull with removals and results, escalation to the owner, revert as rework, the decisions feed,
// and the event log behind it all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CentralClient, mutationFor, newClientId } from '../helpers/central-client';
import { openProbe } from '../helpers/db-snapshot';
import { startTestServer, type TestServer } from '../helpers/server';

let srv: TestServer;
let alice: CentralClient;
let bob: CentralClient;
let olivia: CentralClient;
let ingest: CentralClient;

beforeAll(async () => {
  srv = await startTestServer({ seed: 'demo' });
  const anon = new CentralClient(srv.url);
  alice = anon.as('demo-alice');
  bob = anon.as('demo-bob');
  olivia = anon.as('demo-olivia');
  ingest = anon.as('demo-ingest');
});
afterAll(async () => { await srv?.close(); });

async function events(itemId: string): Promise<{ type: string; actor_id: string | null; assignment_epoch: number; payload: string }[]> {
  const db = await openProbe(srv.dbFile);
  try {
    return await db.all('SELECT type, actor_id, assignment_epoch, payload FROM item_events WHERE item_id = ? ORDER BY seq', itemId);
  } finally { await db.close(); }
}

describe('reviewer round trip', () => {
  it('claims oldest SLA due first, pulls a reset snapshot, then replays decisions with results', async () => {
    const { items } = await alice.claim({ count: 6 });
    expect(items).toHaveLength(6);
    const dues = items.map((i) => i.slaDueAt);
    expect([...dues].sort()).toEqual(dues);
    expect(items.every((i) => i.status === 'leased' && i.assigneeId === 'alice' && i.assignmentEpoch === 1)).toBe(true);
    // The earliest-due demo items sit in queues olivia owns.
    const { queues } = await alice.queues();
    expect(queues.find((q) => q.id === items[0].queueId)?.ownerId).toBe('olivia');

    const clientId = newClientId('flow');
    const first = await alice.pull({ clientId });
    expect(first.reset).toBe(true);
    expect(first.lastMutationId).toBe(0);
    expect(first.upserts.map((i) => i.id).sort()).toEqual(items.map((i) => i.id).sort());

    const [a, b, c, d, e, f] = items;
    const queueOf = (id: string) => queues.find((q) => q.id === id)!;
    const reason = (it: typeof a) => queueOf(it.queueId).reasonCodes[0].code;
    const push = await alice.push({ clientId, mutations: [
      mutationFor('approve', a, 1, { comment: 'fine' }),
      mutationFor('reject', b, 2, { reasonCode: 'no_such_reason' }),
      mutationFor('reject', b, 3, { reasonCode: reason(b) }),
      mutationFor('escalate', c, 4, { reasonCode: reason(c), comment: 'owner please' }),
      mutationFor('defer', d, 5, {}),
      mutationFor('note', e, 6, { text: 'checked the vendor master' }),
      mutationFor('correct', f, 7, { correctedOutput: { total: 10 } }),
    ] });
    expect(push.lastMutationId).toBe(7);
    expect(push.results.map((r) => `${r.status}:${r.code}`)).toEqual([
      'applied:ok', 'rejected:unknown_reason_code', 'applied:ok', 'applied:ok', 'applied:ok', 'applied:ok', 'applied:ok',
    ]);
    expect(push.results[0].item?.outcome?.kind).toBe('approve');
    expect(push.results[3].item?.status).toBe('escalated');
    expect(push.results[3].item?.assigneeId).toBe('olivia');
    expect(push.results[5].item?.notes.map((n) => n.text)).toEqual(['checked the vendor master']);

    const next = await alice.pull({ clientId, cursor: first.cursor });
    expect(next.reset).toBe(false);
    expect(next.results.map((r) => r.mutationId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const removals = Object.fromEntries(next.removals.map((r) => [r.itemId, r.reason]));
    expect(removals).toEqual({ [a.id]: 'decided', [b.id]: 'decided', [c.id]: 'escalated', [d.id]: 'deferred', [f.id]: 'decided' });
    expect(next.upserts.map((i) => i.id)).toEqual([e.id]);
    const again = await alice.pull({ clientId, cursor: next.cursor });
    expect(again.upserts).toEqual([]);
    expect(again.removals).toEqual([]);
    expect(again.results).toEqual([]);

    // The escalation reaches the owner's pull; she decides it under the new epoch.
    const owner = await olivia.pull();
    const esc = owner.upserts.find((i) => i.id === c.id)!;
    expect(esc.escalation).toMatchObject({ by: 'alice', reasonCode: reason(c) });
    expect(esc.assignmentEpoch).toBe(c.assignmentEpoch + 1);
    const ownerClient = newClientId('olivia');
    const decided = await olivia.push({ clientId: ownerClient, mutations: [mutationFor('approve', esc, 1, {})] });
    expect(decided.results[0].status).toBe('applied');
    // alice's stale decision on the escalated item is a conflict, never a second outcome.
    const late = await alice.push({ clientId, mutations: [mutationFor('approve', c, 8, {})] });
    expect(late.results[0]).toMatchObject({ status: 'conflict', code: 'resolved_elsewhere' });

    // Revert reopens the approved item to alice under a new epoch; her next decision is rework.
    const rv = await alice.push({ clientId, mutations: [mutationFor('revert', push.results[0].item!, 9, { comment: 'oops' })] });
    expect(rv.results[0]).toMatchObject({ status: 'applied', code: 'ok' });
    const reopened = rv.results[0].item!;
    expect(reopened).toMatchObject({ status: 'leased', assigneeId: 'alice', outcome: null, assignmentEpoch: a.assignmentEpoch + 1 });
    const redo = await alice.push({ clientId, mutations: [mutationFor('reject', reopened, 10, { reasonCode: reason(a) })] });
    expect(redo.results[0].status).toBe('applied');
    const types = (await events(a.id)).map((ev) => ev.type);
    expect(types).toEqual(['created', 'enqueued', 'claimed', 'decided', 'reverted', 'decided']);
    expect(JSON.parse((await events(a.id))[5].payload)).toMatchObject({ kind: 'reject', rework: true });

    // Producers read outcomes and the revert in order.
    // (Paged: the demo's history fills the feed's first pages.)
    const feed = { decisions: [] as Awaited<ReturnType<typeof ingest.decisions>>['decisions'], cursor: undefined as string | undefined };
    for (let more = true; more;) {
      const page = await ingest.decisions({ cursor: feed.cursor, limit: 1000 });
      feed.decisions.push(...page.decisions);
      feed.cursor = page.cursor;
      more = page.hasMore;
    }
    const forA = feed.decisions.filter((x) => x.itemId === a.id).map((x) => `${x.kind}@${x.assignmentEpoch}`);
    expect(forA).toEqual(['approve@1', 'revert@1', 'reject@2']);
    const tail = await ingest.decisions({ cursor: feed.cursor });
    expect(tail.decisions).toEqual([]);
  });

  it('never shows or lets anyone decide another reviewer\'s item', async () => {
    const { items } = await alice.claim({ count: 1 });
    const bobsPull = await bob.pull();
    expect(bobsPull.upserts.find((i) => i.id === items[0].id)).toBeUndefined();
    const res = await bob.push({ clientId: newClientId('bob'), mutations: [mutationFor('approve', items[0], 1, {})] });
    expect(res.results[0]).toMatchObject({ status: 'rejected', code: 'not_assigned', item: null });
    const problem = await bob.expectProblem(403, 'POST', '/v1/assignments', { itemIds: [items[0].id], assigneeId: 'bob' });
    expect(problem.type).toMatch(/forbidden/);
  });

  it('keeps item_events append-only in the database itself', async () => {
    const db = await openProbe(srv.dbFile, { writable: true });
    try {
      await expect(db.run("UPDATE item_events SET type = 'x'")).rejects.toThrow(/append-only/);
      await expect(db.run('DELETE FROM item_events')).rejects.toThrow(/append-only/);
    } finally { await db.close(); }
  });
});
