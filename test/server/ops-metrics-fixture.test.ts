// A scripted event history small enough to work out by hand, driven through the real API on an injected
// clock; every expected figure below is computed by hand in the comments (DESIGN §8 definitions,
// shared/metrics-definitions.ts). Queue q-inv: SLA 60 min, 60 EUR/h. T0 = Monday 2026-11-02 08:00 UTC;
// "now" at the end is T0+120. The SLA clock pauses while an item waits on its owner (SLA_CLOCK: escalation →
// the owner's outcome or the escalation's end); B, D and G below are worked on that clock.
// Queue q-pct (another workflow) holds twenty open items, enough to show age percentiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { ControlPointsResponse, CorrectionsResponse, ExceptionTaxResponse, QueuePolicy, RunsResponse, TeamMetrics } from '../../shared/ops-api';
import { CentralClient, ingestItems, mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, snapshotOf } from '../helpers/db-snapshot';
import { TestClock } from '../helpers/demo-fixture';
import { startTestServer, type TestServer } from '../helpers/server';

const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const at = (min: number) => new Date(T0 + min * 60_000);
const iso = (min: number) => at(min).toISOString();
const clock = new TestClock(T0);
const setClock = (min: number) => { clock.advanceMinutes(min - (clock.now().getTime() - T0) / 60_000); };

let srv: TestServer;
const as: Record<string, CentralClient> = {};
const clients: Record<string, { id: string; next: number }> = {};
const ids: Record<string, string> = {};
const interval = `from=${encodeURIComponent(iso(0))}&to=${encodeURIComponent(iso(24 * 60))}`;

/** Pushes one mutation as `who` at server time T0+min, with labor active `activeMin` opened at T0+openedMin. */
async function act(who: string, min: number, kind: Mutation['kind'], item: Item, payload: object, labor?: { openedMin: number; activeMin: number; rework?: boolean }): Promise<Item> {
  setClock(min);
  const c = (clients[who] ??= { id: newClientId(who), next: 1 });
  const m = mutationFor(kind, item, c.next++, payload as never, { at: at(min), labor: false });
  if (labor) {
    const activeMs = labor.activeMin * 60_000;
    m.labor = { activeMs, idleMs: 0, wallMs: (min - labor.openedMin) * 60_000, segments: 1, openedAt: iso(labor.openedMin), decidedAt: iso(min), rework: labor.rework ?? false };
  }
  const res = await as[who].push({ clientId: c.id, mutations: [m] });
  expect(res.results[0], `${who} ${kind}`).toMatchObject({ status: 'applied' });
  return res.results[0].item!;
}

beforeAll(async () => {
  srv = await startTestServer({ now: clock.now });
  const anon = new CentralClient(srv.url, null);
  for (const [id, roles] of [['rev1', ['reviewer']], ['rev2', ['reviewer']], ['own', ['owner', 'reviewer']], ['own2', ['owner']], ['sup', ['supervisor']], ['prod', ['producer']]] as const) {
    as[id] = anon.as((await srv.server.addUser(id, [...roles])).token);
  }
  const queue = { name: 'Invoices', workflow: 'wf', stage: 's1', exceptionClass: 'data_integrity' as const, slaTargetMinutes: 60, idleThresholdSec: 60,
    reasonCodes: [{ code: 'other', label: 'Other' }] };
  await srv.server.upsertQueue({ ...queue, id: 'q-inv', ownerId: 'own', ownerName: 'own' });
  await srv.server.upsertQueue({ ...queue, id: 'q-other', workflow: 'wf2', ownerId: 'own2', ownerName: 'own2' });
  await srv.server.upsertQueue({ ...queue, id: 'q-pct', name: 'Percentiles', workflow: 'wf3', ownerId: 'own', ownerName: 'own' });
  // q-pct: one item enqueued each minute T0+0 .. T0+19 (ages at T0+120: 120 down to 101).
  for (let k = 0; k < 20; k++) {
    setClock(k);
    ids[`P${k}`] = (await as.prod.ingest({ items: ingestItems('q-pct', 1, { source: 'fx', prefix: 'pct', start: k }) })).items[0].id;
  }
  setClock(0);
  await as.own.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: 'q-inv', laborCost: { amountPerHour: 60, currency: 'EUR' } });

  // T0: A, B, C, D enqueued (due T0+60).
  const first = await as.prod.ingest({ items: ingestItems('q-inv', 4, { source: 'fx', prefix: 'abcd' }) });
  ['A', 'B', 'C', 'D'].forEach((k, i) => { ids[k] = first.items[i].id; });
  setClock(10);
  const [a] = (await as.sup.assign({ itemIds: [ids.A], assigneeId: 'rev1', leaseMinutes: 600 })).items;
  const [b] = (await as.sup.assign({ itemIds: [ids.B], assigneeId: 'rev1', leaseMinutes: 600 })).items;
  const [c] = (await as.sup.assign({ itemIds: [ids.C], assigneeId: 'rev2', leaseMinutes: 600 })).items;
  // A: rev1 approves at +20 (opened +14, 6 min).
  await act('rev1', 20, 'approve', a, {}, { openedMin: 14, activeMin: 6 });
  // B: reclassified at +30 (2 min; the age is not reset), escalated at +40 (3 min), owner approves at +100 (4 min).
  const b1 = await act('rev1', 30, 'reclassify', b, { exceptionClass: 'policy', reasonCode: 'other' }, { openedMin: 28, activeMin: 2 });
  const b2 = await act('rev1', 40, 'escalate', b1, { reasonCode: 'other' }, { openedMin: 37, activeMin: 3 });
  // C: rev2 rejects at +50 (10 min), reverts at +55, corrects at +70 (5 min rework); the owner overrides at +80 (1 min rework).
  const c1 = await act('rev2', 50, 'reject', c, { reasonCode: 'other' }, { openedMin: 40, activeMin: 10 });
  const c2 = await act('rev2', 55, 'revert', c1, {});
  const c3 = await act('rev2', 70, 'correct', c2, { correctedOutput: { total: 1 } }, { openedMin: 65, activeMin: 5, rework: true });
  // F enqueued at +70 (due +130), E at +100 (due +160).
  setClock(70);
  ids.F = (await as.prod.ingest({ items: ingestItems('q-inv', 1, { source: 'fx', prefix: 'f' }) })).items[0].id;
  // G enqueued at +70 (due +130 before any pause) and leased to rev2; reclassified at +80 (its age still counts
  // from +70), escalated at +90 with no labor: waiting on its owner since +90, its clock paused at 20 minutes.
  ids.G = (await as.prod.ingest({ items: ingestItems('q-inv', 1, { source: 'fx', prefix: 'g' }) })).items[0].id;
  const [g] = (await as.sup.assign({ itemIds: [ids.G], assigneeId: 'rev2', leaseMinutes: 600 })).items;
  const g1 = await act('rev2', 80, 'reclassify', g, { exceptionClass: 'policy', reasonCode: 'other' });
  await act('rev2', 90, 'escalate', g1, { reasonCode: 'other' });
  // D, open and past its due time (+60), is leased to rev2 and escalated at +95 with no labor: a pause that
  // begins after the clock ran out does not move the due time (D breached at +60 and stays breached).
  setClock(90);
  const [d] = (await as.sup.assign({ itemIds: [ids.D], assigneeId: 'rev2', leaseMinutes: 600 })).items;
  await act('rev2', 95, 'escalate', d, { reasonCode: 'other' });
  await act('own', 80, 'override', c3, { outcome: 'approve', reason: 'the total was right' }, { openedMin: 79, activeMin: 1, rework: true });
  await act('own', 100, 'approve', b2, {}, { openedMin: 96, activeMin: 4 });
  setClock(100);
  ids.E = (await as.prod.ingest({ items: ingestItems('q-inv', 1, { source: 'fx', prefix: 'e' }) })).items[0].id;
  // A corrected downstream at +110: 30 minutes and 12.50 EUR.
  setClock(110);
  await as.prod.expectOk(CorrectionsResponse, 'POST', '/v1/corrections', { corrections: [{ source: 'ledger', itemId: ids.A, detectedAt: iso(105), cost: { minutes: 30, amount: { amount: 12.5, currency: 'EUR' } }, note: 'wrong cost centre' }] });
  await as.prod.expectOk(RunsResponse, 'POST', '/v1/runs', { runs: [{ source: 'erp', workflow: 'wf', periodStart: iso(0), periodEnd: iso(24 * 60), runs: 100, straightThroughCost: { amount: 50, currency: 'EUR' } }] });
  setClock(120);
});
afterAll(async () => { await srv?.close(); });

describe('control points (q-inv at T0+120)', () => {
  it('depth, age, first touch, resolution, SLA attainment, breached while open, at risk and approval latency', async () => {
    const { controlPoints } = await as.sup.expectOk(ControlPointsResponse, 'GET', `/v1/metrics/control-points?${interval}&queueId=q-inv`);
    expect(controlPoints).toHaveLength(1);
    const cp = controlPoints[0];
    // Open: D (age 120, escalated), F (50), G (50, escalated: the reclassification at +80 did not reset it), E (20).
    expect(cp.depth).toMatchObject({ value: 4, n: 4 });
    expect(new Set(cp.depth.recompute.itemIds)).toEqual(new Set([ids.D, ids.E, ids.F, ids.G]));
    expect(cp.age).toMatchObject({ n: 4, p50: null, p90: null, max: 120 });
    // First touch: A 14, B 28, C 40 (the earliest labor openedAt minus enqueue); D and G had no labor.
    expect(cp.timeToFirstTouch).toMatchObject({ n: 3, max: 40, p50: null });
    // First outcome on the SLA clock: A 20, C 50, B 100 − 60 paused (escalated +40 → owner's outcome +100) = 40.
    // Without the pause B's would be 100 (the max).
    expect(cp.resolutionTime).toMatchObject({ n: 3, max: 50 });
    // Due times: A, C 60; B 0 + 60 + 60 paused = 120; D 60 (its pause began at +95, after the clock ran out).
    // Achieved: A (20 ≤ 60), C (50 ≤ 60), B (100 ≤ 120: the pause flips it; on an unpaused clock 100 > 60 breached).
    // Breached: D (open past 60). F, E not due yet; G paused.
    expect(cp.withinSla).toMatchObject({ achieved: 3, breached: 1, percent: { value: 75, n: 4 } });
    expect(new Set(cp.withinSla.percent.recompute.itemIds)).toEqual(new Set([ids.A, ids.B, ids.C, ids.D]));
    expect(cp.breachedWhileOpen).toMatchObject({ value: 1, recompute: { itemIds: [ids.D] } });
    // F: 10 min left < 20 % of 60 = 12; E: 40 left. G would have 130 − 120 = 10 left on an unpaused clock (at
    // risk), but its clock stands still since +90 (20 of 60 minutes used): neither at risk nor breaching.
    expect(cp.atRisk).toEqual([{ itemId: ids.F, slaDueAt: iso(130), minutesLeft: 10, status: 'open', assigneeId: null }]);
    // B: escalated +40, owner's outcome +100.
    expect(cp.approvalLatency).toMatchObject({ n: 1, max: 60, recompute: { itemIds: [ids.B] } });
  });
});

describe('age percentiles (q-pct at T0+120)', () => {
  it('p50 and p90 by nearest rank once n reaches 20', async () => {
    const { controlPoints: [cp] } = await as.sup.expectOk(ControlPointsResponse, 'GET', `/v1/metrics/control-points?${interval}&queueId=q-pct`);
    // Ages sorted: 101, 102, …, 120 (n = 20). p50 = rank ⌈0.5 · 20⌉ = 10 → 110; p90 = rank 18 → 118; max 120.
    expect(cp.age).toMatchObject({ n: 20, p50: 110, p90: 118, max: 120 });
    // Due at T0+60 .. T0+79, all past: twenty breaches, 0 % within SLA.
    expect(cp.withinSla).toMatchObject({ achieved: 0, breached: 20, percent: { value: 0, n: 20 } });
  });
});

describe('team (T0 .. T0+1 day)', () => {
  it('throughput attributed at completion, outcomes per staffed hour, labor with rework apart', async () => {
    const team = await as.sup.expectOk(TeamMetrics, 'GET', `/v1/metrics/team?${interval}`);
    // Outcomes: A approve, C reject, C correct, C override, B approve.
    expect(team.throughput).toMatchObject({ value: 5, n: 5 });
    expect(team.perDay[0]).toEqual({ day: '2026-11-02', outcomes: 5 });
    const byId = Object.fromEntries(team.reviewers.map((r) => [r.reviewerId, r]));
    // rev1: 1 outcome; events at 08:20, 08:30, 08:40 → 1 staffed hour; labor 6 + 2 + 3.
    expect(byId.rev1).toMatchObject({ outcomes: { value: 1 }, staffedHours: 1, outcomesPerStaffedHour: { value: 1 }, laborMinutes: 11, reworkLaborMinutes: 0 });
    // rev2: reject 08:50, correct 09:10 → 2 outcomes over 2 hours; 10 min labor, 5 rework.
    expect(byId.rev2).toMatchObject({ outcomes: { value: 2 }, staffedHours: 2, outcomesPerStaffedHour: { value: 1 }, laborMinutes: 10, reworkLaborMinutes: 5 });
    // own: override 09:20, approve 09:40 → 2 outcomes in 1 hour; 4 min labor, 1 rework.
    expect(byId.own).toMatchObject({ outcomes: { value: 2 }, staffedHours: 1, outcomesPerStaffedHour: { value: 2 }, laborMinutes: 4, reworkLaborMinutes: 1 });
    expect(byId.rev1.handleTime).toMatchObject({ n: 1, max: 6, p50: null });
    // The last event by anyone was own's approve at +100: 20 minutes before now, outside the 15-minute window.
    expect(team.activeNow).toMatchObject({ count: 0, reviewerIds: [] });
  });
});

describe('exception tax (workflow wf, EUR)', () => {
  it('labor per outcome, rework rate, tax per outcome and cost to completion with and without exceptions', async () => {
    const { groups } = await as.sup.expectOk(ExceptionTaxResponse, 'GET', `/v1/metrics/exception-tax?${interval}&groupBy=workflow`);
    const wf = groups.find((g) => g.key === 'wf')!;
    // Labor 6 + 2 + 3 + 10 + 4 = 25 min; rework 5 + 1 = 6 min; 5 outcomes → 31 / 5 = 6.2 min per outcome.
    expect(wf).toMatchObject({ currency: 'EUR', outcomes: 5, laborMinutes: 25, reworkLaborMinutes: 6, corrections: 1, correctionMinutes: 30, correctionAmount: 12.5,
      rework: { reverts: 1, overrides: 1, rolledBack: 0, corrections: 1 }, runs: 100, straightThroughCost: 50 });
    expect(wf.laborMinutesPerOutcome.value).toBeCloseTo(6.2, 10);
    // (1 revert + 1 override + 0 rolled back + 1 correction) / 5 = 60 %.
    expect(wf.reworkRate.value).toBeCloseTo(60, 10);
    // Tax: (25 + 6 + 30) min at 60 EUR/h = 61 EUR, + 12.50 = 73.50 EUR; per outcome 14.70.
    expect(wf.taxTotal.value).toBeCloseTo(73.5, 10);
    expect(wf.taxPerOutcome.value).toBeCloseTo(14.7, 10);
    // (50 + 73.50) / 100 runs = 1.235 with exceptions; 50 / 100 = 0.50 straight through.
    expect(wf.costToCompletion.value).toBeCloseTo(1.235, 10);
    expect(wf.costToCompletionWithoutExceptions.value).toBeCloseTo(0.5, 10);
    // Seven exceptions raised (A-D, F, G, E) for 100 runs.
    expect(wf.exceptionRate.value).toBeCloseTo(7, 10);
    // wf2 has no labor cost: no tax, said so.
    const wf2 = groups.find((g) => g.key === 'wf2')!;
    expect(wf2).toMatchObject({ currency: null, outcomes: 0, taxTotal: { value: null, note: 'no labor cost per hour set for these queues' } });
  });
});

describe('who sees the figures', () => {
  it('supervisor all; the owner their paths; another owner not this queue; reviewers and producers none; bad queries 400 and nothing changes', async () => {
    const before = await snapshotOf(srv.dbFile);
    const own = await as.own.expectOk(ControlPointsResponse, 'GET', `/v1/metrics/control-points?${interval}`);
    expect(own.controlPoints.map((c) => c.queueId)).toEqual(['q-inv', 'q-pct']);
    const own2 = await as.own2.expectOk(ExceptionTaxResponse, 'GET', `/v1/metrics/exception-tax?${interval}&groupBy=queue`);
    expect(own2.groups.map((g) => g.key)).toEqual(['q-other']);
    for (const path of ['team', 'control-points', 'exception-tax']) {
      await as.own2.expectProblem(403, 'GET', `/v1/metrics/${path}?${interval}&queueId=q-inv`);
      await as.rev1.expectProblem(403, 'GET', `/v1/metrics/${path}?${interval}`);
      await as.prod.expectProblem(403, 'GET', `/v1/metrics/${path}?${interval}`);
      await as.sup.expectProblem(400, 'GET', `/v1/metrics/${path}?from=${encodeURIComponent(iso(10))}&to=${encodeURIComponent(iso(0))}`);
      await as.sup.expectProblem(400, 'GET', `/v1/metrics/${path}?from=yesterday&to=${encodeURIComponent(iso(0))}`);
    }
    await as.sup.expectProblem(400, 'GET', `/v1/metrics/exception-tax?${interval}&groupBy=reviewer`);
    expect(changedTables(before, await snapshotOf(srv.dbFile))).toEqual([]);
  });
});
