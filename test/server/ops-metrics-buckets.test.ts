// Figures over time (Team's throughput and labor, the exception tax) in UTC hours, days and ISO weeks, on a
// history small enough to work out by hand. Queue q-b: 60 EUR/h. T0 = Monday 2026-11-02 08:00 UTC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { ExceptionTaxResponse, ItemsReadResponse, QueuePolicy, TeamMetrics } from '../../shared/ops-api';
import { bucketCount, bucketSpans, bucketStart } from '../../shared/ops-buckets';
import { CentralClient, ingestItems, mutationFor, newClientId } from '../helpers/central-client';
import { TestClock } from '../helpers/demo-fixture';
import { startTestServer, type TestServer } from '../helpers/server';

const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const at = (min: number) => new Date(T0 + min * 60_000);
const iso = (min: number) => at(min).toISOString();
const clock = new TestClock(T0);
const setClock = (min: number) => { clock.advanceMinutes(min - (clock.now().getTime() - T0) / 60_000); };
const span = (fromMin: number, toMin: number) => `from=${encodeURIComponent(iso(fromMin))}&to=${encodeURIComponent(iso(toMin))}`;

let srv: TestServer;
const as: Record<string, CentralClient> = {};
const client = { id: newClientId('rev1'), next: 1 };
const itemIds: string[] = [];

async function act(min: number, kind: Mutation['kind'], item: Item, payload: object, labor?: { openedMin: number; activeMin: number; rework?: boolean }): Promise<Item> {
  setClock(min);
  const m = mutationFor(kind, item, client.next++, payload as never, { at: at(min), labor: false });
  if (labor) {
    m.labor = { activeMs: labor.activeMin * 60_000, idleMs: 0, wallMs: (min - labor.openedMin) * 60_000, segments: 1, openedAt: iso(labor.openedMin), decidedAt: iso(min), rework: labor.rework ?? false };
  }
  const res = await as.rev1.push({ clientId: client.id, mutations: [m] });
  expect(res.results[0], kind).toMatchObject({ status: 'applied' });
  return res.results[0].item!;
}

beforeAll(async () => {
  srv = await startTestServer({ now: clock.now });
  const anon = new CentralClient(srv.url, null);
  for (const [id, roles] of [['rev1', ['reviewer']], ['own', ['owner']], ['own2', ['owner']], ['sup', ['supervisor']], ['prod', ['producer']]] as const) {
    as[id] = anon.as((await srv.server.addUser(id, [...roles])).token);
  }
  await srv.server.upsertQueue({ id: 'q-b', name: 'Bills', workflow: 'wf', stage: 's1', exceptionClass: 'data_integrity', slaTargetMinutes: 600, idleThresholdSec: 60,
    reasonCodes: [{ code: 'other', label: 'Other' }], ownerId: 'own', ownerName: 'own' });
  await as.own.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: 'q-b', laborCost: { amountPerHour: 60, currency: 'EUR' } });
  const got = await as.prod.ingest({ items: ingestItems('q-b', 3, { source: 'fx', prefix: 'abc' }) });
  setClock(5);
  const [a, b, c] = (await as.sup.assign({ itemIds: got.items.map((i) => i.id), assigneeId: 'rev1', leaseMinutes: 600 })).items;
  itemIds.push(a.id, b.id, c.id);
  // 08:20 A approved (6 min), 08:40 B approved (4 min), 09:50 C approved (10 min),
  // 09:55 C reverted (rework), 10:10 C corrected (2 min of rework labor).
  await act(20, 'approve', a, {}, { openedMin: 14, activeMin: 6 });
  await act(40, 'approve', b, {}, { openedMin: 36, activeMin: 4 });
  const c1 = await act(110, 'approve', c, {}, { openedMin: 100, activeMin: 10 });
  const c2 = await act(115, 'revert', c1, {});
  await act(130, 'correct', c2, { correctedOutput: { total: 2 } }, { openedMin: 128, activeMin: 2, rework: true });
  setClock(240);
});
afterAll(async () => { await srv?.close(); });

describe('bucket boundaries (shared/ops-buckets.ts)', () => {
  it('UTC hours and days; ISO weeks start on Monday; the first and last bucket are clipped to the interval', () => {
    expect(new Date(bucketStart('week', Date.parse('2026-11-04T13:00:00Z'))).toISOString()).toBe('2026-11-02T00:00:00.000Z');
    expect(new Date(bucketStart('week', Date.parse('2026-11-02T00:00:00Z'))).toISOString()).toBe('2026-11-02T00:00:00.000Z');
    expect(new Date(bucketStart('week', Date.parse('2026-11-01T23:59:59Z'))).toISOString()).toBe('2026-10-26T00:00:00.000Z');
    expect(new Date(bucketStart('hour', Date.parse('2026-11-04T13:59:59Z'))).toISOString()).toBe('2026-11-04T13:00:00.000Z');
    const spans = bucketSpans('hour', T0 - 30 * 60_000, T0 + 150 * 60_000);
    expect(spans.map((s) => [new Date(s.from).toISOString().slice(11, 16), new Date(s.to).toISOString().slice(11, 16)]))
      .toEqual([['07:30', '08:00'], ['08:00', '09:00'], ['09:00', '10:00'], ['10:00', '10:30']]);
    expect(bucketCount('hour', T0 - 30 * 60_000, T0 + 150 * 60_000)).toBe(4);
    const midnight = Date.parse('2026-11-02T00:00:00Z');
    expect(bucketCount('day', midnight, midnight + 91 * 86_400_000)).toBe(91);
    // From 08:00 a quarter of days touches 92 UTC days (the first and last partial).
    expect(bucketCount('day', T0, T0 + 91 * 86_400_000)).toBe(92);
    expect(bucketCount('hour', T0, T0)).toBe(0);
  });
});

describe('team over time', () => {
  it('outcomes at completion and labor where it was recorded, per hour (a partial first hour included)', async () => {
    const team = await as.sup.expectOk(TeamMetrics, 'GET', `/v1/metrics/team?${span(-30, 180)}&bucket=hour`);
    expect(team.buckets?.bucket).toBe('hour');
    expect(team.buckets?.points).toEqual([
      { start: iso(-30), outcomes: 0, laborMinutes: 0, reworkLaborMinutes: 0 },
      { start: iso(0), outcomes: 2, laborMinutes: 10, reworkLaborMinutes: 0 },
      { start: iso(60), outcomes: 1, laborMinutes: 10, reworkLaborMinutes: 0 },
      { start: iso(120), outcomes: 1, laborMinutes: 0, reworkLaborMinutes: 2 },
    ]);
    // The buckets add up to the interval's throughput.
    expect(team.throughput.value).toBe(4);
    const days = await as.sup.expectOk(TeamMetrics, 'GET', `/v1/metrics/team?${span(0, 24 * 60)}&bucket=day`);
    // 08:00 to 08:00 the next day: the rest of Monday, then Tuesday's first eight hours.
    expect(days.buckets?.points).toEqual([
      { start: iso(0), outcomes: 4, laborMinutes: 20, reworkLaborMinutes: 2 },
      { start: '2026-11-03T00:00:00.000Z', outcomes: 0, laborMinutes: 0, reworkLaborMinutes: 0 },
    ]);
    // Without `bucket` the answer is as before: no buckets.
    const plain = await as.sup.expectOk(TeamMetrics, 'GET', `/v1/metrics/team?${span(0, 24 * 60)}`);
    expect(plain.buckets).toBeUndefined();
  });

  it('ISO weeks: a Sunday-to-Tuesday interval is two buckets, the second starting Monday 00:00 UTC', async () => {
    const team = await as.sup.expectOk(TeamMetrics, 'GET', `/v1/metrics/team?${span(-32 * 60, 24 * 60)}&bucket=week`);
    expect(team.buckets?.points.map((p) => [p.start, p.outcomes])).toEqual([[iso(-32 * 60), 0], ['2026-11-02T00:00:00.000Z', 4]]);
  });

  it('refuses an unknown bucket with a clear 400', async () => {
    await as.sup.expectProblem(400, 'GET', `/v1/metrics/team?${span(0, 60)}&bucket=minute`);
    await as.sup.expectProblem(400, 'GET', `/v1/metrics/exception-tax?${span(0, 60)}&bucket=minute`);
  });
});

describe('exception tax over time', () => {
  it('each hour is the same computation as the whole, on that hour alone', async () => {
    const tax = await as.sup.expectOk(ExceptionTaxResponse, 'GET', `/v1/metrics/exception-tax?${span(0, 180)}&groupBy=workflow&bucket=hour`);
    const pts = tax.series!.points.map((p) => ({ start: p.start, wf: p.groups.find((g) => g.key === 'wf')! }));
    expect(pts.map((p) => p.start)).toEqual([iso(0), iso(60), iso(120)]);
    // 08:00 two outcomes, 10 min → 5 min per outcome, 10 EUR of labor → 5 EUR per outcome; no rework.
    expect(pts[0].wf).toMatchObject({ currency: 'EUR', outcomes: 2, laborMinutesPerOutcome: 5, taxPerOutcome: 5, reworkRate: 0 });
    // 09:00 one outcome, 10 min → 10 EUR; the revert at 09:55 is rework: 1 of 1 outcome = 100 %.
    expect(pts[1].wf).toMatchObject({ outcomes: 1, laborMinutesPerOutcome: 10, taxPerOutcome: 10, reworkRate: 100 });
    // 10:00 the correction, 2 min of rework labor → 2 EUR.
    expect(pts[2].wf).toMatchObject({ outcomes: 1, laborMinutesPerOutcome: 2, taxPerOutcome: 2, reworkRate: 0 });
    // No runs reported: cost to completion has no value in any bucket.
    expect(pts.every((p) => p.wf.costToCompletion === null && p.wf.costToCompletionWithoutExceptions === null)).toBe(true);
    // The whole interval: 22 min for 4 outcomes.
    expect(tax.groups.find((g) => g.key === 'wf')!.laborMinutesPerOutcome.value).toBeCloseTo(5.5, 10);
  });
});

describe('GET /v1/items (the items behind a figure, read-only)', () => {
  it('answers the items with their history in the order asked; others\' paths and unknown ids alike as missing; bad queries 400', async () => {
    const [a, , c] = itemIds;
    const r = await as.sup.expectOk(ItemsReadResponse, 'GET', `/v1/items?ids=${c},itm-nope,${a}`);
    expect(r.items.map((x) => x.item.id)).toEqual([c, a]);
    expect(r.missing).toEqual(['itm-nope']);
    // C: approved 09:50, reverted 09:55, corrected 10:10 (labor events are not history).
    expect(r.items[0].history.map((h) => [h.type, h.outcome, h.actorId])).toEqual(
      expect.arrayContaining([['decided', 'approve', 'rev1'], ['reverted', null, 'rev1'], ['decided', 'correct', 'rev1']]));
    expect((await as.own.expectOk(ItemsReadResponse, 'GET', `/v1/items?ids=${a}`)).items).toHaveLength(1);
    expect(await as.own2.expectOk(ItemsReadResponse, 'GET', `/v1/items?ids=${a},itm-nope`)).toEqual({ items: [], missing: [a, 'itm-nope'] });
    await as.rev1.expectProblem(403, 'GET', `/v1/items?ids=${a}`);
    await as.prod.expectProblem(403, 'GET', `/v1/items?ids=${a}`);
    await as.sup.expectProblem(400, 'GET', '/v1/items');
    await as.sup.expectProblem(400, 'GET', `/v1/items?ids=${Array.from({ length: 101 }, (_, i) => `itm-${i}`).join(',')}`);
    await as.sup.expectProblem(400, 'GET', `/v1/items?ids=${a},,${c}`);
  });
});
