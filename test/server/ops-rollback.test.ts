// Rollback (DESIGN §8): preview, then apply idempotently by id in bounded batches in the background; each
// reverted item reopens in its queue; the decisions feed carries each revert once with the rollback id;
// reviewers deciding the same items meanwhile never make an outcome reverted twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedDecision } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { ROLLBACK_BATCH_SIZE, RollbackPreview, RollbackProgress, type RollbackFilter } from '../../shared/ops-api';
import { mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, openProbe, snapshotOf } from '../helpers/db-snapshot';
import { startDemoServer, type DemoServer } from '../helpers/demo-fixture';

let demo: DemoServer;
beforeAll(async () => { demo = await startDemoServer(); });
afterAll(async () => { await demo?.close(); });

async function approve(who: 'alice' | 'bob', n: number, queueId: string): Promise<Item[]> {
  const { items } = await demo.as[who].claim({ count: n, queueIds: [queueId] });
  const clientId = newClientId(who);
  const out: Item[] = [];
  for (let i = 0; i < items.length; i += 400) {
    const res = await demo.as[who].push({ clientId, mutations: items.slice(i, i + 400).map((it, k) => mutationFor('approve', it, i + k + 1, {})) });
    out.push(...res.results.map((r) => r.item!));
  }
  return out;
}

async function feedSince(cursor: string): Promise<FeedDecision[]> {
  const out: FeedDecision[] = [];
  for (;;) {
    const page = await demo.as.ingest.decisions({ cursor, limit: 1000 });
    out.push(...page.decisions);
    cursor = page.cursor;
    if (!page.hasMore) return out;
  }
}

async function untilDone(rollbackId: string): Promise<RollbackProgress> {
  for (let i = 0; i < 600; i++) {
    const p = await demo.as.olivia.expectOk(RollbackProgress, 'GET', `/v1/rollbacks?rollbackId=${rollbackId}`);
    if (p.status === 'completed') return p;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`rollback ${rollbackId} did not complete`);
}

const window = (from: Date): Pick<RollbackFilter, 'from' | 'to'> => ({ from: from.toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

describe('rollback', () => {
  it('previews, applies once, reopens each item in its queue, and the feed carries each revert once with the id', async () => {
    const start = new Date(Date.now() - 1000);
    const byAlice = await approve('alice', 5, 'support-drafts');
    const byBob = await approve('bob', 3, 'support-drafts');
    const filter = { queueIds: ['support-drafts'], reviewerIds: ['alice'], outcomes: ['approve' as const], ...window(start) };
    const preview = await demo.as.olivia.expectOk(RollbackPreview, 'POST', '/v1/rollbacks', { mode: 'preview', filter });
    expect(preview).toMatchObject({ count: 5, byQueue: [{ queueId: 'support-drafts', count: 5 }] });
    expect(new Set(preview.sample.map((s) => s.itemId))).toEqual(new Set(byAlice.map((i) => i.id)));

    const feedCursor = await demo.as.ingest.decisionsCursorAtEnd();
    const body = { mode: 'apply', rollbackId: 'rb-support-alice-1', filter, reason: 'draft model 4.2 promised refunds' };
    const started = await demo.as.olivia.expectOk(RollbackProgress, 'POST', '/v1/rollbacks', body);
    expect(started).toMatchObject({ rollbackId: 'rb-support-alice-1', total: 5, batchSize: ROLLBACK_BATCH_SIZE, by: 'olivia' });
    const done = await untilDone('rb-support-alice-1');
    expect(done).toMatchObject({ status: 'completed', total: 5, reverted: 5, skipped: 0 });

    const feed = await feedSince(feedCursor);
    expect(feed.map((d) => [d.itemId, d.kind, d.rollbackId]).sort()).toEqual(byAlice.map((i) => [i.id, 'revert', 'rb-support-alice-1']).sort());
    const db = await openProbe(demo.dbFile);
    try {
      for (const it of byAlice) {
        expect(await db.get(`SELECT status, assignee_id, outcome, revert_count FROM items WHERE id = ?`, it.id))
          .toEqual({ status: 'open', assignee_id: null, outcome: null, revert_count: 1 });
      }
      for (const it of byBob) expect((await db.get<{ status: string }>(`SELECT status FROM items WHERE id = ?`, it.id))!.status).toBe('resolved');
    } finally { await db.close(); }

    // Idempotent by id: the same request answers the same progress and changes nothing.
    const before = await snapshotOf(demo.dbFile);
    expect(await demo.as.olivia.expectOk(RollbackProgress, 'POST', '/v1/rollbacks', body)).toEqual(done);
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual([]);
    // The same id with another filter is a conflict, not a second rollback.
    await demo.as.olivia.expectProblem(409, 'POST', '/v1/rollbacks', { ...body, filter: { ...filter, reviewerIds: ['bob'] } });
    expect(await feedSince(feedCursor)).toHaveLength(5);
    // The reopened items are claimable again; their next outcome is rework.
    const reclaimed = (await demo.as.bob.claim({ count: 1000, queueIds: ['support-drafts'] })).items.filter((i) => byAlice.some((a) => a.id === i.id));
    expect(reclaimed).toHaveLength(5);
  });

  it('only the owner of every queue in the filter (or an admin) may roll back; nothing changes on a refusal', async () => {
    const start = new Date(Date.now() - 1000);
    await approve('alice', 2, 'procurement-po');
    const filter = { queueIds: ['procurement-po'], ...window(start) };
    const before = await snapshotOf(demo.dbFile);
    await demo.as.olivia.expectProblem(403, 'POST', '/v1/rollbacks', { mode: 'apply', rollbackId: 'rb-not-mine', filter, reason: 'x' });
    await demo.as.alice.expectProblem(403, 'POST', '/v1/rollbacks', { mode: 'preview', filter });
    await demo.as.sam.expectProblem(403, 'POST', '/v1/rollbacks', { mode: 'preview', filter });
    await demo.as.ingest.expectProblem(403, 'POST', '/v1/rollbacks', { mode: 'preview', filter });
    await demo.as.omar.expectProblem(400, 'POST', '/v1/rollbacks', { mode: 'apply', rollbackId: 'short', filter, reason: 'x' });
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual([]);
    const preview = await demo.as.omar.expectOk(RollbackPreview, 'POST', '/v1/rollbacks', { mode: 'preview', filter: { ...window(start) } });
    expect(preview.count).toBe(2);
  });

  it('filters on a metadata key (the model version in the item\'s input)', async () => {
    const start = new Date(Date.now() - 1000);
    const items = await approve('bob', 6, 'invoices-ledger');
    expect(items.every((i) => i.input.model === 'docparse-v4.2')).toBe(true);
    const filter = { queueIds: ['invoices-ledger'], reviewerIds: ['bob'], metadata: { path: 'input.model', equals: 'docparse-v4.2' }, ...window(start) };
    expect((await demo.as.olivia.expectOk(RollbackPreview, 'POST', '/v1/rollbacks', { mode: 'preview', filter })).count).toBe(6);
    const other = { ...filter, metadata: { path: 'input.model', equals: 'docparse-v4.1' } };
    expect((await demo.as.olivia.expectOk(RollbackPreview, 'POST', '/v1/rollbacks', { mode: 'preview', filter: other })).count).toBe(0);
    const missing = { ...filter, metadata: { path: 'output.model.version', equals: 'docparse-v4.2' } };
    expect((await demo.as.olivia.expectOk(RollbackPreview, 'POST', '/v1/rollbacks', { mode: 'preview', filter: missing })).count).toBe(0);
  });

  it('races reviewers reverting and re-deciding the same items: every outcome is reverted at most once, the feed carries each revert once', async () => {
    const start = new Date(Date.now() - 1000);
    const items = await approve('alice', 450, 'invoices-ledger');
    const filter = { queueIds: ['invoices-ledger'], reviewerIds: ['alice'], ...window(start) };
    const feedCursor = await demo.as.ingest.decisionsCursorAtEnd();
    const body = { mode: 'apply', rollbackId: 'rb-invoices-race', filter, reason: 'vendor master was stale' };
    const started = await demo.as.olivia.expectOk(RollbackProgress, 'POST', '/v1/rollbacks', body);
    expect(started.total).toBe(450);
    // Meanwhile alice reverts 40 of her own outcomes (a lease change: each reopens to her under a new epoch),
    // re-approves 20 of them, and olivia re-applies the same rollback id twice.
    const racers = items.slice(-40);
    const clientId = newClientId('alice-race');
    const reverts = await demo.as.alice.push({ clientId, mutations: racers.map((it, k) => mutationFor('revert', it, k + 1, {})) });
    const reopened = reverts.results.filter((r) => r.status === 'applied').map((r) => r.item!);
    const [progressMid] = await Promise.all([
      demo.as.olivia.expectOk(RollbackProgress, 'POST', '/v1/rollbacks', body),
      demo.as.alice.push({ clientId, mutations: reopened.slice(0, 20).map((it, k) => mutationFor('approve', it, racers.length + k + 1, {})) }),
      demo.as.olivia.expectOk(RollbackProgress, 'POST', '/v1/rollbacks', body),
    ]);
    expect(progressMid.total).toBe(450);
    const done = await untilDone('rb-invoices-race');
    expect(done.reverted + done.skipped).toBe(450);
    expect(done.skipped).toBe(reopened.length);

    const feed = (await feedSince(feedCursor)).filter((d) => d.kind === 'revert');
    const reverts2 = new Map<string, number>();
    for (const d of feed) reverts2.set(`${d.itemId}@${d.assignmentEpoch}`, (reverts2.get(`${d.itemId}@${d.assignmentEpoch}`) ?? 0) + 1);
    expect([...reverts2.values()].every((n) => n === 1)).toBe(true);
    expect(feed.filter((d) => d.rollbackId === 'rb-invoices-race')).toHaveLength(done.reverted);
    // Every item alice did not touch was reverted by the rollback.
    const rolled = new Set(feed.filter((d) => d.rollbackId === 'rb-invoices-race').map((d) => d.itemId));
    for (const it of items.slice(0, 410)) expect(rolled.has(it.id)).toBe(true);
  });
});
