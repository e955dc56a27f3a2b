// The operations scorecard (DESIGN §8) on a scripted history worked out by hand: each workflow is built to
// sit at a colour boundary (green at the green threshold, amber one below it and at the amber threshold, red
// one below that), and every answer carries met, n, its interval and what to recompute it from.
// Interval [T0, T0 + 28 d); T0 = Monday 2026-11-02 08:00 UTC. Thresholds: shared/metrics-definitions.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueuePolicy, RunsResponse, ScorecardResponse, SignalDecisionResponse, type ScorecardAnswer } from '../../shared/ops-api';
import { CentralClient, ingestItems } from '../helpers/central-client';
import { changedTables, snapshotOf } from '../helpers/db-snapshot';
import { TestClock } from '../helpers/demo-fixture';
import { startTestServer, type TestServer } from '../helpers/server';

const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const DAY = 24 * 60;
const iso = (min: number) => new Date(T0 + min * 60_000).toISOString();
const clock = new TestClock(T0);
const setClock = (min: number) => { clock.advanceMinutes(min - (clock.now().getTime() - T0) / 60_000); };
const window = (fromMin: number, toMin: number) => `from=${encodeURIComponent(iso(fromMin))}&to=${encodeURIComponent(iso(toMin))}`;
const FOUR_WEEKS = window(0, 28 * DAY);

let srv: TestServer;
const as: Record<string, CentralClient> = {};
let batch = 0;

async function queue(id: string, workflow: string, opts: { owner?: string; cls?: 'policy' | 'data_integrity' } = {}) {
  const owner = opts.owner ?? 'own';
  await srv.server.upsertQueue({ id, name: id, workflow, stage: 's1', exceptionClass: opts.cls ?? 'policy', slaTargetMinutes: 60, idleThresholdSec: 60,
    reasonCodes: [{ code: 'other', label: 'Other' }], ownerId: owner, ownerName: owner });
}
/** n items created at T0, the first `withReasons` with one exception reason code (`code`), the rest with none. */
async function items(queueId: string, n: number, withReasons: number, code = 'total_mismatch') {
  setClock(0);
  const list = ingestItems(queueId, n, { source: 'score', prefix: `${queueId}-${++batch}` })
    .map((it, i) => ({ ...it, reasons: i < withReasons ? [{ code, message: `failed ${code}`, severity: 'warning' as const }] : [] }));
  await as.prod.ingest({ items: list });
}

beforeAll(async () => {
  srv = await startTestServer({ now: clock.now });
  const anon = new CentralClient(srv.url, null);
  for (const [id, roles] of [['rev1', ['reviewer']], ['own', ['owner']], ['own2', ['owner']], ['sup', ['supervisor']], ['prod', ['producer']]] as const) {
    as[id] = anon.as((await srv.server.addUser(id, [...roles])).token);
  }
  // 1. classified: 95, 94, 80 and 79 of 100 new items carry a reason code.
  for (const k of [95, 94, 80, 79]) {
    await queue(`qc${k}`, `wf-class-${k}`);
    await items(`qc${k}`, 100, k);
  }
  // 3. one named owner: wf-owner has 5 queues, one owned by rev1 (no owner role): 4 of 5 = 80 %; wf-owner-red 1 of 2.
  for (const k of [1, 2, 3, 4, 5]) await queue(`qo${k}`, 'wf-owner', { owner: k === 5 ? 'rev1' : 'own' });
  await queue('qor1', 'wf-owner-red');
  await queue('qor2', 'wf-owner-red', { owner: 'rev1' });
  // 4. tax measured (parts: each queue's labor cost + runs with straight-through cost): wf-tax-green 2 of 2,
  // wf-tax-amber 1 of 2 (labor cost, no runs), wf-tax-red 1 of 4 (one of three queues costed; runs without cost).
  const cost = { amountPerHour: 50, currency: 'EUR' };
  for (const [id, workflow] of [['qt-g', 'wf-tax-green'], ['qt-a', 'wf-tax-amber'], ['qt-r1', 'wf-tax-red'], ['qt-r2', 'wf-tax-red'], ['qt-r3', 'wf-tax-red']] as const) {
    await queue(id, workflow);
    if (id !== 'qt-r2' && id !== 'qt-r3') await as.own.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: id, laborCost: cost });
  }
  await as.prod.expectOk(RunsResponse, 'POST', '/v1/runs', { runs: [
    { source: 'erp', workflow: 'wf-tax-green', periodStart: iso(0), periodEnd: iso(7 * DAY), runs: 1000, straightThroughCost: { amount: 20, currency: 'EUR' } },
    { source: 'erp', workflow: 'wf-tax-red', periodStart: iso(0), periodEnd: iso(7 * DAY), runs: 500 },
  ] });
  // 5. feeding redesign: five data-integrity queues whose 20 new items all fail check X: five tighten-input signals
  // over [T0, T0 + 14 d), due a decision by T0 + 28 d.
  for (const k of [1, 2, 3, 4, 5]) {
    await queue(`qs${k}`, 'wf-sig', { cls: 'data_integrity' });
    await items(`qs${k}`, 20, 20, 'X');
  }
  await queue('qx', 'wf-own2', { owner: 'own2' });
  setClock(DAY);
});
afterAll(async () => { await srv?.close(); });

async function scorecard(client = as.sup, q = FOUR_WEEKS) {
  const res = await client.expectOk(ScorecardResponse, 'GET', `/v1/metrics/scorecard?${q}`);
  return Object.fromEntries(res.workflows.map((w) => [w.workflow, Object.fromEntries(w.answers.map((a) => [a.question, a]))])) as
    Record<string, Record<ScorecardAnswer['question'], ScorecardAnswer>>;
}
const colour = (a: ScorecardAnswer) => [a.rating, a.met, a.n];

describe('operations scorecard colours at their boundaries', () => {
  it('classified: 95 % green, 94 % amber, 80 % amber, 79 % red, with the items to recompute', async () => {
    const s = await scorecard();
    expect(colour(s['wf-class-95'].classified)).toEqual(['green', 95, 100]);
    expect(colour(s['wf-class-94'].classified)).toEqual(['amber', 94, 100]);
    expect(colour(s['wf-class-80'].classified)).toEqual(['amber', 80, 100]);
    expect(colour(s['wf-class-79'].classified)).toEqual(['red', 79, 100]);
    const a = s['wf-class-79'].classified;
    expect(a).toMatchObject({ percent: 79, interval: { from: iso(0), to: iso(28 * DAY) }, recompute: { itemIdsTotal: 100, filter: { workflow: 'wf-class-79', queueIds: ['qc79'] } } });
    expect((a.recompute.filter.unclassified as string[])).toHaveLength(21);
    expect(a.detail).toBe('79 of 100 exceptions created in the interval carry a reason code; 21 arrived with none.');
    expect(a.definition).toMatch(/green ≥ 95 %, amber ≥ 80 %/);
  });

  it('control points with an SLA and one named owner: every queue has a target; an owner without the role is not one', async () => {
    const s = await scorecard();
    expect(colour(s['wf-owner'].control_points_with_sla)).toEqual(['green', 5, 5]);
    expect(colour(s['wf-owner'].one_owner_per_path)).toEqual(['amber', 4, 5]);
    expect(s['wf-owner'].one_owner_per_path.detail).toContain('qo5 (rev1)');
    expect(colour(s['wf-owner-red'].one_owner_per_path)).toEqual(['red', 1, 2]);
    expect(colour(s['wf-class-95'].one_owner_per_path)).toEqual(['green', 1, 1]);
    // No items created in wf-owner-red: nothing to count is grey, not green.
    expect(colour(s['wf-owner-red'].classified)).toEqual(['grey', 0, 0]);
    expect(s['wf-owner-red'].classified.percent).toBeNull();
  });

  it('tax measured: labor cost on every queue and runs with cost green; half the parts amber; a quarter red', async () => {
    const s = await scorecard();
    expect(colour(s['wf-tax-green'].tax_measured)).toEqual(['green', 2, 2]);
    expect(colour(s['wf-tax-amber'].tax_measured)).toEqual(['amber', 1, 2]);
    expect(colour(s['wf-tax-red'].tax_measured)).toEqual(['red', 1, 4]);
    expect(s['wf-tax-red'].tax_measured.detail).toBe('1 of 3 queues have a labor cost per hour; runs reported (500 runs in 1 reports), some without straight-through cost.');
    expect(colour(s['wf-class-95'].tax_measured)).toEqual(['red', 0, 2]);
  });

  it('feeding redesign: signals that waited two weeks, decided before the end: 40 % red, 60 % amber, 80 % green; a decision after the end does not count', async () => {
    const decide = (k: number, min: number) => { setClock(min); return as.own.expectOk(SignalDecisionResponse, 'POST', '/v1/signals/decisions', { signalId: `tighten_input/qs${k}/X`, decision: k % 2 ? 'accept' : 'dismiss', reason: `review ${k}` }); };
    let s = await scorecard();
    expect(colour(s['wf-sig'].feeding_redesign)).toEqual(['red', 0, 5]);
    expect(s['wf-sig'].feeding_redesign.recompute.filter.signalIds).toEqual([1, 2, 3, 4, 5].map((k) => `tighten_input/qs${k}/X`));
    expect(s['wf-sig'].feeding_redesign.recompute.filter.signalsTo).toBe(iso(14 * DAY));
    await decide(1, DAY);
    await decide(2, DAY);
    s = await scorecard();
    expect(colour(s['wf-sig'].feeding_redesign)).toEqual(['red', 2, 5]);
    await decide(3, 2 * DAY);
    expect(colour((await scorecard())['wf-sig'].feeding_redesign)).toEqual(['amber', 3, 5]);
    await decide(4, 3 * DAY);
    expect(colour((await scorecard())['wf-sig'].feeding_redesign)).toEqual(['green', 4, 5]);
    // Decided at T0 + 29 d: after this scorecard's end, so not "within two weeks" for it; a later scorecard counts it.
    await decide(5, 29 * DAY);
    expect(colour((await scorecard())['wf-sig'].feeding_redesign)).toEqual(['green', 4, 5]);
    expect(colour((await scorecard(as.sup, window(0, 30 * DAY)))['wf-sig'].feeding_redesign)).toEqual(['green', 5, 5]);
    // Workflows without signals due have nothing to count.
    expect(colour(s['wf-class-95'].feeding_redesign)).toEqual(['grey', 0, 0]);
  });

  it('an interval shorter than two weeks has no signal due yet: grey, and says so', async () => {
    const s = await scorecard(as.sup, window(0, 7 * DAY));
    expect(colour(s['wf-sig'].feeding_redesign)).toEqual(['grey', 0, 0]);
    expect(s['wf-sig'].feeding_redesign.detail).toMatch(/shorter than 14 days/);
  });
});

describe('who sees the scorecard', () => {
  it('an owner sees the workflows of the queues they own; reviewers and producers none; bad queries 400; nothing changes', async () => {
    const before = await snapshotOf(srv.dbFile);
    const own2 = await as.own2.expectOk(ScorecardResponse, 'GET', `/v1/metrics/scorecard?${FOUR_WEEKS}`);
    expect(own2.workflows.map((w) => [w.workflow, w.queueIds, w.ownerIds])).toEqual([['wf-own2', ['qx'], ['own2']]]);
    const own = await as.own.expectOk(ScorecardResponse, 'GET', `/v1/metrics/scorecard?${FOUR_WEEKS}&workflow=wf-owner`);
    // rev1's queue in wf-owner is not own's path: own's scorecard covers qo1..qo4 only.
    expect(own.workflows.map((w) => [w.workflow, w.queueIds])).toEqual([['wf-owner', ['qo1', 'qo2', 'qo3', 'qo4']]]);
    await as.own2.expectProblem(403, 'GET', `/v1/metrics/scorecard?${FOUR_WEEKS}&queueId=qc95`);
    await as.rev1.expectProblem(403, 'GET', `/v1/metrics/scorecard?${FOUR_WEEKS}`);
    await as.prod.expectProblem(403, 'GET', `/v1/metrics/scorecard?${FOUR_WEEKS}`);
    for (const q of ['', window(10, 0), 'from=x&to=y', window(0, 401 * DAY)]) await as.sup.expectProblem(400, 'GET', `/v1/metrics/scorecard?${q}`);
    expect(changedTables(before, await snapshotOf(srv.dbFile))).toEqual([]);
  });
});
