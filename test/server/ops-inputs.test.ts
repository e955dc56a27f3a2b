// Producers' runs and corrections, queue policy and rollback triggers (DESIGN §8): idempotent, validated,
// all-or-nothing; a tripped trigger is an alert for the owner with a proposed filter, acknowledged as an event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../shared/domain';
import {
  AlertsResponse, CorrectionsResponse, QueuePoliciesResponse, QueuePolicy, RollbackAlert, RunsResponse,
} from '../../shared/ops-api';
import { mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, openProbe, snapshotOf } from '../helpers/db-snapshot';
import { startDemoServer, type DemoServer } from '../helpers/demo-fixture';
import { addUsers } from '../helpers/extra-users';

let demo: DemoServer;
let adminToken: string;
beforeAll(async () => {
  demo = await startDemoServer();
  adminToken = (await addUsers(demo.dbFile, [{ id: 'ada-admin', roles: ['admin'] }]))['ada-admin'];
});
afterAll(async () => { await demo?.close(); });

const t = (iso: string) => new Date(iso).toISOString();

async function approvedItems(n: number, queueId = 'invoices-ledger'): Promise<Item[]> {
  const { items } = await demo.as.alice.claim({ count: n, queueIds: [queueId] });
  const res = await demo.as.alice.push({ clientId: newClientId('alice'), mutations: items.map((it, i) => mutationFor('approve', it, i + 1, {})) });
  return res.results.map((r) => r.item!);
}

describe('POST /v1/runs', () => {
  const report = { source: 'erp', workflow: 'invoice-extraction', stage: 'post-to-ledger', periodStart: t('2026-11-23T00:00:00Z'),
    periodEnd: t('2026-11-30T00:00:00Z'), runs: 4000, straightThroughCost: { amount: 120, currency: 'EUR' } };

  it('records a report once; the same report again is existing; a different one for the key is 409 and changes nothing', async () => {
    expect(await demo.as.ingest.expectOk(RunsResponse, 'POST', '/v1/runs', { runs: [report] })).toEqual({ created: 1, existing: 0 });
    expect(await demo.as.ingest.expectOk(RunsResponse, 'POST', '/v1/runs', { runs: [report] })).toEqual({ created: 0, existing: 1 });
    const before = await snapshotOf(demo.dbFile);
    const p = await demo.as.ingest.expectProblem(409, 'POST', '/v1/runs', { runs: [{ ...report, periodStart: t('2026-11-16T00:00:00Z'), periodEnd: t('2026-11-23T00:00:00Z') }, { ...report, runs: 4001 }] });
    expect(p.detail).toMatch(/runs\.1: a different report/);
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual([]);
  });

  it('is for producers only', async () => {
    for (const who of ['alice', 'olivia', 'sam'] as const) await demo.as[who].expectProblem(403, 'POST', '/v1/runs', { runs: [report] });
  });
});

describe('POST /v1/corrections', () => {
  it('records a correction of an outcome as an event on the item; again is existing; refuses unknown items and items without an outcome', async () => {
    const [item] = await approvedItems(1);
    const body = { corrections: [{ source: 'ledger', itemId: item.id, detectedAt: new Date().toISOString(), cost: { minutes: 25 }, note: 'posted to the wrong cost centre' }] };
    const first = await demo.as.ingest.expectOk(CorrectionsResponse, 'POST', '/v1/corrections', body);
    expect(first).toMatchObject({ created: 1, existing: 0, corrections: [{ itemId: item.id, created: true }] });
    const again = await demo.as.ingest.expectOk(CorrectionsResponse, 'POST', '/v1/corrections', body);
    expect(again).toMatchObject({ created: 0, existing: 1, corrections: [{ id: first.corrections[0].id, created: false }] });
    const db = await openProbe(demo.dbFile);
    try {
      const ev = await db.all<{ payload: string }>(`SELECT type, payload FROM item_events WHERE item_id = ? AND type = 'corrected'`, item.id);
      expect(ev).toHaveLength(1);
      expect(JSON.parse(ev[0].payload)).toMatchObject({ correctionId: first.corrections[0].id, minutes: 25, queueId: 'invoices-ledger' });
    } finally { await db.close(); }

    const [open] = (await demo.as.bob.claim({ count: 1, queueIds: ['kyc-sanctions'] })).items;
    const mid = await snapshotOf(demo.dbFile);
    const p = await demo.as.ingest.expectProblem(400, 'POST', '/v1/corrections', { corrections: [
      { ...body.corrections[0], detectedAt: new Date(Date.now() + 1).toISOString() },
      { source: 'ledger', itemId: 'no-such-item', detectedAt: new Date().toISOString(), cost: {}, note: 'x' },
      { source: 'ledger', itemId: open.id, detectedAt: new Date().toISOString(), cost: {}, note: 'x' },
    ] });
    expect(p.errors).toEqual([{ path: 'corrections.1.itemId', message: 'no such item' }, { path: 'corrections.2', message: `item '${open.id}' has no outcome to correct` }]);
    expect(changedTables(mid, await snapshotOf(demo.dbFile))).toEqual([]);
  });

  it('finds the item by (source, externalId) and refuses a cost in another currency than the queue\'s', async () => {
    const [item] = await approvedItems(1);
    await demo.as.olivia.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: 'invoices-ledger', laborCost: { amountPerHour: 48, currency: 'EUR' } });
    const base = { source: item.source, externalId: item.externalId, detectedAt: new Date().toISOString(), note: 'duplicate payment' };
    const p = await demo.as.ingest.expectProblem(400, 'POST', '/v1/corrections', { corrections: [{ ...base, cost: { amount: { amount: 30, currency: 'USD' } } }] });
    expect(p.errors?.[0]).toEqual({ path: 'corrections.0.cost.amount.currency', message: 'the item\'s queue counts in EUR, not USD' });
    const ok = await demo.as.ingest.expectOk(CorrectionsResponse, 'POST', '/v1/corrections', { corrections: [{ ...base, cost: { amount: { amount: 30, currency: 'EUR' } } }] });
    expect(ok.corrections[0].itemId).toBe(item.id);
  });
});

describe('queue policy', () => {
  it('the owner changes their queue, an admin any queue; an owner of another path, a reviewer and a supervisor cannot', async () => {
    const mine = await demo.as.olivia.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: 'support-drafts', slaTargetMinutes: 90, idleThresholdSec: 30 });
    expect(mine).toMatchObject({ queueId: 'support-drafts', ownerId: 'olivia', slaTargetMinutes: 90, idleThresholdSec: 30, updatedBy: 'olivia' });
    const before = await snapshotOf(demo.dbFile);
    await demo.as.omar.expectProblem(403, 'POST', '/v1/queue-policies', { queueId: 'support-drafts', slaTargetMinutes: 5 });
    await demo.as.alice.expectProblem(403, 'POST', '/v1/queue-policies', { queueId: 'support-drafts', slaTargetMinutes: 5 });
    await demo.as.sam.expectProblem(403, 'POST', '/v1/queue-policies', { queueId: 'support-drafts', slaTargetMinutes: 5 });
    await demo.as.olivia.expectProblem(400, 'POST', '/v1/queue-policies', { queueId: 'support-drafts', ownerId: 'alice' });
    await demo.as.olivia.expectProblem(404, 'POST', '/v1/queue-policies', { queueId: 'nope', slaTargetMinutes: 5 });
    await demo.as.olivia.expectProblem(400, 'POST', '/v1/queue-policies', { queueId: 'support-drafts', laborCost: { amountPerHour: 40, currency: 'euro' } });
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual([]);
    const admin = demo.anon.as(adminToken);
    const handed = await admin.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: 'procurement-po', ownerId: 'olivia', rollbackTrigger: { kind: 'correction_rate', atLeastPercent: 2, windowDays: 7 } });
    expect(handed).toMatchObject({ ownerId: 'olivia', rollbackTrigger: { kind: 'correction_rate', atLeastPercent: 2, windowDays: 7, minApprovals: 20 } });
    await admin.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: 'procurement-po', ownerId: 'omar', rollbackTrigger: null });
    const { policies } = await demo.as.sam.expectOk(QueuePoliciesResponse, 'GET', '/v1/queue-policies');
    expect(policies.find((p) => p.queueId === 'procurement-po')).toMatchObject({ ownerId: 'omar', rollbackTrigger: null });
    await demo.as.alice.expectProblem(403, 'GET', '/v1/queue-policies');
  });
});

describe('rollback triggers', () => {
  it('trips exactly at its threshold, once while open; the owner sees and acknowledges it; another owner does not see it', async () => {
    await demo.as.olivia.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: 'kyc-sanctions', rollbackTrigger: { kind: 'corrections_count', atLeast: 3, windowHours: 24 } });
    const items = await approvedItems(5, 'kyc-sanctions');
    const correct = (it: Item) => demo.as.ingest.expectOk(CorrectionsResponse, 'POST', '/v1/corrections', {
      corrections: [{ source: 'screening-audit', itemId: it.id, detectedAt: new Date().toISOString(), cost: { minutes: 10 }, note: 'missed a match' }] });
    expect((await correct(items[0])).alerts).toEqual([]);
    expect((await correct(items[1])).alerts).toEqual([]);
    const third = await correct(items[2]);
    expect(third.alerts).toHaveLength(1);
    expect((await correct(items[3])).alerts).toEqual([]); // one open alert per queue

    const { alerts } = await demo.as.olivia.expectOk(AlertsResponse, 'GET', '/v1/alerts');
    const alert = alerts.find((a) => a.id === third.alerts[0])!;
    expect(alert).toMatchObject({ queueId: 'kyc-sanctions', ownerId: 'olivia', status: 'open',
      evidence: { corrections: 3, approvals: null, ratePercent: null }, proposedFilter: { queueIds: ['kyc-sanctions'], outcomes: ['approve'] } });
    expect(new Set(alert.evidence.itemIds)).toEqual(new Set(items.slice(0, 3).map((i) => i.id)));
    expect((await demo.as.omar.expectOk(AlertsResponse, 'GET', '/v1/alerts')).alerts).toEqual([]);
    await demo.as.alice.expectProblem(403, 'GET', '/v1/alerts');
    await demo.as.omar.expectProblem(404, 'POST', '/v1/alerts/ack', { alertId: alert.id });

    const acked = await demo.as.olivia.expectOk(RollbackAlert, 'POST', '/v1/alerts/ack', { alertId: alert.id, note: 'rolling back the afternoon batch' });
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'olivia', note: 'rolling back the afternoon batch' });
    const again = await demo.as.olivia.expectOk(RollbackAlert, 'POST', '/v1/alerts/ack', { alertId: alert.id, note: 'other' });
    expect(again.note).toBe('rolling back the afternoon batch');
    // After the acknowledgement only new corrections count: one more is below the threshold.
    expect((await correct(items[4])).alerts).toEqual([]);
  });
});

describe('escalation to oneself', () => {
  it('an owner escalating an item of their own queue is refused clearly, not a later conflict', async () => {
    const [item] = (await demo.as.olivia.claim({ count: 1, queueIds: ['support-drafts'] })).items;
    const res = await demo.as.olivia.push({ clientId: newClientId('olivia'), mutations: [mutationFor('escalate', item, 1, { reasonCode: 'other' })] });
    expect(res.results[0]).toMatchObject({ status: 'rejected', code: 'invalid_transition' });
    expect(res.results[0].message).toMatch(/you own queue support-drafts: decide the item instead of escalating it/);
  });
});
