// Design signals (DESIGN §8) on a scripted history small enough to work out by hand, driven through the real
// API on an injected clock. For each of the five kinds one path sits exactly at its threshold (it fires) and
// one sits one below it (it does not); the expected evidence and minutes a week are computed by hand in the
// comments. Interval [T0, T0 + 7 d): one week, so minutes a week = minutes. T0 = Monday 2026-11-02 08:00 UTC.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { CorrectionsResponse, DesignSignalsResponse, SignalDecisionRequest, SignalDecisionResponse } from '../../shared/ops-api';
import { CentralClient, ingestItems, mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, snapshotOf } from '../helpers/db-snapshot';
import { TestClock } from '../helpers/demo-fixture';
import { startTestServer, type TestServer } from '../helpers/server';

const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const at = (min: number) => new Date(T0 + min * 60_000);
const iso = (min: number) => at(min).toISOString();
const clock = new TestClock(T0);
const setClock = (min: number) => { clock.advanceMinutes(min - (clock.now().getTime() - T0) / 60_000); };
const WEEK = `from=${encodeURIComponent(iso(0))}&to=${encodeURIComponent(iso(7 * 24 * 60))}`;

let srv: TestServer;
const as: Record<string, CentralClient> = {};
const clients: Record<string, { id: string; next: number }> = {};
let batch = 0;

type Step = { item: Item; kind: Mutation['kind']; payload?: object; activeMin?: number };
/** Pushes the steps as `who` at server time T0 + min, each with `activeMin` of labor ending then; all must apply. */
async function decide(who: string, min: number, steps: Step[]): Promise<Item[]> {
  setClock(min);
  const c = (clients[who] ??= { id: newClientId(who), next: 1 });
  const out: Item[] = [];
  for (let i = 0; i < steps.length; i += 500) {
    const muts = steps.slice(i, i + 500).map((s) => {
      const m = mutationFor(s.kind, s.item, c.next++, (s.payload ?? {}) as never, { at: at(min), labor: false });
      const activeMs = (s.activeMin ?? 0) * 60_000;
      m.labor = { activeMs, idleMs: 0, wallMs: activeMs, segments: 1, openedAt: new Date(at(min).getTime() - activeMs).toISOString(), decidedAt: iso(min), rework: false };
      return m;
    });
    const res = await as[who].push({ clientId: c.id, mutations: muts });
    res.results.forEach((r, k) => expect(r, `${who} ${muts[k].kind}`).toMatchObject({ status: 'applied' }));
    out.push(...res.results.map((r) => r.item!));
  }
  return out;
}

/** Ingests n items into a queue (optionally with given exception reason codes per item) and leases them to rev1. */
async function leased(queueId: string, n: number, codes?: (i: number) => string): Promise<Item[]> {
  setClock(0);
  const items = ingestItems(queueId, n, { source: 'sig', prefix: `${queueId}-${++batch}` })
    .map((it, i) => (codes ? { ...it, reasons: [{ code: codes(i), message: `failed ${codes(i)}`, severity: 'warning' as const }] } : it));
  const created = (await as.prod.ingest({ items })).items;
  setClock(1);
  return (await as.sup.assign({ itemIds: created.map((i) => i.id), assigneeId: 'rev1', leaseMinutes: 600 })).items;
}

const reasonCodes = [{ code: 'other', label: 'Other' }, { code: 'needs_owner', label: 'Needs the owner' }];
async function queue(id: string, opts: { workflow?: string; stage?: string; cls?: 'policy' | 'confidence' | 'data_integrity' | 'business_rule'; owner?: string } = {}) {
  const owner = opts.owner ?? 'own';
  await srv.server.upsertQueue({ id, name: id, workflow: opts.workflow ?? `wf-${id}`, stage: opts.stage ?? 's1', exceptionClass: opts.cls ?? 'policy',
    slaTargetMinutes: 60, idleThresholdSec: 60, reasonCodes, ownerId: owner, ownerName: owner });
}

/** Escalates every item (rev1, T0+10), then the owner decides item k at T0+10+latency(k) with 2 min (or 1) of labor. */
async function escalateThenOwner(items: Item[], latency: (k: number) => number, outcome: (k: number) => 'approve' | 'reject', ownerMin = 2) {
  const esc = await decide('rev1', 10, items.map((item) => ({ item, kind: 'escalate' as const, payload: { reasonCode: 'needs_owner' }, activeMin: 1 })));
  const byLatency = new Map<number, Step[]>();
  esc.forEach((item, k) => {
    const step: Step = { item, kind: outcome(k), payload: outcome(k) === 'reject' ? { reasonCode: 'other' } : {}, activeMin: ownerMin };
    byLatency.set(latency(k), [...(byLatency.get(latency(k)) ?? []), step]);
  });
  for (const [l, steps] of [...byLatency].sort(([a], [b]) => a - b)) await decide('own', 10 + l, steps);
}

beforeAll(async () => {
  srv = await startTestServer({ now: clock.now });
  const anon = new CentralClient(srv.url, null);
  for (const [id, roles] of [['rev1', ['reviewer']], ['own', ['owner', 'reviewer']], ['own2', ['owner']], ['sup', ['supervisor']], ['prod', ['producer']], ['adm', ['admin']]] as const) {
    as[id] = anon.as((await srv.server.addUser(id, [...roles])).token);
  }
  await queue('q-other', { owner: 'own2' });

  // 1. trust the AI further. q-trust-at: 190 approve + 10 reject of 200 = 95 % (fires); q-trust-below: 189 of 200 = 94.5 %;
  // q-trust-n199: 199 of 199 approve, but n = 199 < 200. Every decision 1 min of labor.
  for (const [id, approve, n] of [['q-trust-at', 190, 200], ['q-trust-below', 189, 200], ['q-trust-n199', 199, 199]] as const) {
    await queue(id, { cls: 'confidence' });
    const items = await leased(id, n);
    await decide('rev1', 5, items.map((item, i) => (i < approve ? { item, kind: 'approve', activeMin: 1 } : { item, kind: 'reject', payload: { reasonCode: 'other' }, activeMin: 1 })));
  }

  // 2. delegate override authority (SLA 60). q-del-at: 20 escalations, 17 decided after 30 min and 3 after 61: p90 = the
  // 18th of 20 sorted = 61 > 60 (fires); q-del-below: the same with 60: p90 = 60, not above; q-del-n19: 19 after 200 min,
  // but n = 19 hides the p90. Owner outcomes alternate approve / reject, so no branch has one outcome ≥ 90 %.
  for (const [id, n, slow, slowLatency] of [['q-del-at', 20, 3, 61], ['q-del-below', 20, 3, 60], ['q-del-n19', 19, 19, 200]] as const) {
    await queue(id);
    await escalateThenOwner(await leased(id, n), (k) => (k < slow ? slowLatency : 30), (k) => (k % 2 === 0 ? 'approve' : 'reject'));
  }

  // 4. simplify a decision branch. 20 escalations with reason needs_owner; the owner decides after 5 min with 1 min of labor.
  // q-simp-at: 18 approve, 2 reject = 90 % (fires); q-simp-below: 17 approve, 3 reject = 85 %.
  for (const [id, approve] of [['q-simp-at', 18], ['q-simp-below', 17]] as const) {
    await queue(id);
    await escalateThenOwner(await leased(id, 20), () => 5, (k) => (k < approve ? 'approve' : 'reject'), 1);
  }

  // 3. tighten an input constraint (data-integrity queues). q-tight-at: 8 of 20 new items fail VAT_FORMAT = 40 % (fires),
  // the other 12 each a code of their own; rev1 approves 4 of the 8 with 3 min each. q-tight-below: 7 of 20.
  // q-policy-same: 20 items all failing one code, but a policy queue: never this signal.
  for (const [id, vat] of [['q-tight-at', 8], ['q-tight-below', 7]] as const) {
    await queue(id, { cls: 'data_integrity' });
    const items = await leased(id, 20, (i) => (i < vat ? 'VAT_FORMAT' : `misc_${i}`));
    await decide('rev1', 20, items.filter((i) => i.reasons[0].code === 'VAT_FORMAT').slice(0, 4).map((item) => ({ item, kind: 'approve' as const, activeMin: 3 })));
  }
  await queue('q-policy-same');
  await leased('q-policy-same', 20, () => 'VAT_FORMAT');

  // 5. move a control earlier. Workflow wf-move: corrections of outcomes decided at s-late 5, s-early 4, s-mid 1 = 10;
  // s-late holds 50 % (fires, 5 × 6 correction minutes = 30); s-early 40 % does not. wf-move3: 9 corrections, all at one
  // stage, but n = 9 < 10.
  const corrected: { id: string; minutes: number }[] = [];
  for (const [id, workflow, stage, n] of [['q-move-late', 'wf-move', 's-late', 5], ['q-move-early', 'wf-move', 's-early', 4], ['q-move-mid', 'wf-move', 's-mid', 1],
    ['q-move3', 'wf-move3', 's-x', 9]] as const) {
    await queue(id, { workflow, stage });
    const items = await leased(id, n);
    await decide('rev1', 30, items.map((item) => ({ item, kind: 'approve' as const })));
    corrected.push(...items.map((i) => ({ id: i.id, minutes: 6 })));
  }
  setClock(60);
  await as.prod.expectOk(CorrectionsResponse, 'POST', '/v1/corrections', {
    corrections: corrected.map((c) => ({ source: 'ledger', itemId: c.id, detectedAt: iso(50), cost: { minutes: c.minutes }, note: 'wrong downstream' })),
  });
  setClock(24 * 60);
  // Every lease given above has ended by now: return them to their queues once, so no background sweep
  // changes the database between the before/after snapshots below.
  await srv.server.sweepLeases();
});
afterAll(async () => { await srv?.close(); });

const ids = {
  trust: 'trust_ai_further/q-trust-at',
  delegate: 'delegate_override/q-del-at',
  tighten: 'tighten_input/q-tight-at/VAT_FORMAT',
  simplify: 'simplify_branch/q-simp-at/needs_owner',
  move: 'move_control_earlier/wf-move/s-late',
};

describe('design signals over one week', () => {
  it('each kind fires exactly at its threshold and not one below it', async () => {
    const { signals } = await as.sup.expectOk(DesignSignalsResponse, 'GET', `/v1/metrics/signals?${WEEK}`);
    expect(signals.map((s) => s.id).sort()).toEqual(Object.values(ids).sort());
    expect(signals.every((s) => s.status === 'open' && s.decision === null)).toBe(true);
  });

  it('carries the evidence worked out by hand: n, count, value, threshold, the items, and minutes a week saved', async () => {
    const { signals } = await as.sup.expectOk(DesignSignalsResponse, 'GET', `/v1/metrics/signals?${WEEK}`);
    const by = Object.fromEntries(signals.map((s) => [s.id, s]));
    expect(by[ids.trust]).toMatchObject({ kind: 'trust_ai_further', metric: 'signal_trust_ai_further', ownerIds: ['own'], subject: { queueId: 'q-trust-at' },
      evidence: { n: 200, count: 190, value: 95, unit: 'percent', threshold: 95, comparison: 'at_least', recompute: { itemIdsTotal: 190 } },
      minutesPerWeekSaved: 190 });
    expect(by[ids.delegate]).toMatchObject({ evidence: { n: 20, count: null, value: 61, unit: 'minutes', threshold: 60, comparison: 'more_than',
      recompute: { itemIdsTotal: 20 } }, minutesPerWeekSaved: 40 });
    expect(by[ids.tighten]).toMatchObject({ subject: { validationCode: 'VAT_FORMAT', exceptionClass: 'data_integrity' },
      evidence: { n: 20, count: 8, value: 40, threshold: 40, recompute: { itemIdsTotal: 8 } }, minutesPerWeekSaved: 12 });
    // After the escalation: the owner's 1-minute outcome on each of the 18 approved items.
    expect(by[ids.simplify]).toMatchObject({ subject: { reasonCode: 'needs_owner', outcome: 'approve' },
      evidence: { n: 20, count: 18, value: 90, threshold: 90, recompute: { itemIdsTotal: 18 } }, minutesPerWeekSaved: 18 });
    expect(by[ids.move]).toMatchObject({ subject: { workflow: 'wf-move', stage: 's-late' }, ownerIds: ['own'],
      evidence: { n: 10, count: 5, value: 50, threshold: 50, recompute: { itemIdsTotal: 5 } }, minutesPerWeekSaved: 30 });
    for (const s of signals) {
      expect(s.evidence.interval).toEqual({ from: iso(0), to: iso(7 * 24 * 60) });
      expect(s.evidence.recompute.itemIds).toHaveLength(s.evidence.recompute.itemIdsTotal);
      expect(s.summary).toMatch(/\d/);
    }
    // Sorted by minutes a week saved, most first.
    expect(signals.map((s) => s.minutesPerWeekSaved)).toEqual([190, 40, 30, 18, 12]);
  });

  it('minutes a week scale with the interval: the same labor over two weeks is half a week\'s', async () => {
    const twoWeeks = `from=${encodeURIComponent(iso(0))}&to=${encodeURIComponent(iso(14 * 24 * 60))}`;
    const { signals } = await as.sup.expectOk(DesignSignalsResponse, 'GET', `/v1/metrics/signals?${twoWeeks}&kind=trust_ai_further`);
    expect(signals.map((s) => [s.id, s.minutesPerWeekSaved])).toEqual([[ids.trust, 95]]);
  });

  it('an interval with none of the history has no signals; a queue filter narrows', async () => {
    const later = `from=${encodeURIComponent(iso(2 * 24 * 60))}&to=${encodeURIComponent(iso(9 * 24 * 60))}`;
    expect((await as.sup.expectOk(DesignSignalsResponse, 'GET', `/v1/metrics/signals?${later}`)).signals).toEqual([]);
    const one = await as.sup.expectOk(DesignSignalsResponse, 'GET', `/v1/metrics/signals?${WEEK}&queueId=q-tight-at`);
    expect(one.signals.map((s) => s.id)).toEqual([ids.tighten]);
  });
});

describe('accept and dismiss', () => {
  it('accepting is an event; the same decision again records nothing; a dismissal replaces it; status follows the latest', async () => {
    setClock(2 * 24 * 60);
    const accept = { signalId: ids.trust, decision: 'accept', reason: 'let the model approve drafts above 0.9' };
    const first = await as.own.expectOk(SignalDecisionResponse, 'POST', '/v1/signals/decisions', accept);
    expect(first).toMatchObject({ signalId: ids.trust, status: 'accepted', recorded: true, ownerIds: ['own'],
      decision: { decision: 'accept', by: 'own', at: iso(2 * 24 * 60), reason: accept.reason, week: '2026-W45' } });
    const before = await snapshotOf(srv.dbFile);
    const again = await as.own.expectOk(SignalDecisionResponse, 'POST', '/v1/signals/decisions', accept);
    expect(again).toMatchObject({ recorded: false, status: 'accepted', decision: first.decision });
    expect(changedTables(before, await snapshotOf(srv.dbFile))).toEqual([]);

    let list = await as.own.expectOk(DesignSignalsResponse, 'GET', `/v1/metrics/signals?${WEEK}&status=accepted`);
    expect(list.signals.map((s) => [s.id, s.status, s.decision?.reason])).toEqual([[ids.trust, 'accepted', accept.reason]]);

    const dismissed = await as.adm.expectOk(SignalDecisionResponse, 'POST', '/v1/signals/decisions', { signalId: ids.trust, decision: 'dismiss', reason: 'legal wants a human on every draft' });
    expect(dismissed).toMatchObject({ recorded: true, status: 'dismissed', decision: { by: 'adm' } });
    list = await as.sup.expectOk(DesignSignalsResponse, 'GET', `/v1/metrics/signals?${WEEK}&status=open`);
    expect(list.signals.map((s) => s.id)).not.toContain(ids.trust);
    expect(list.signals).toHaveLength(4);
  });

  it('the same decision sent eight times at once is recorded once', async () => {
    const body = { signalId: ids.simplify, decision: 'dismiss', reason: 'owners must see these' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => as.own.expectOk(SignalDecisionResponse, 'POST', '/v1/signals/decisions', body)));
    expect(answers.filter((a) => a.recorded)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.decision.at)).size).toBe(1);
  });

  it('a signal of a stage is decided by an owner of that stage; ids that name nothing are 404, malformed ones 400', async () => {
    await as.own.expectOk(SignalDecisionResponse, 'POST', '/v1/signals/decisions', { signalId: ids.move, decision: 'accept', reason: 'add the ledger check at extraction' });
    await as.own.expectProblem(404, 'POST', '/v1/signals/decisions', { signalId: 'trust_ai_further/no-such-queue', decision: 'accept', reason: 'x' });
    await as.own.expectProblem(404, 'POST', '/v1/signals/decisions', { signalId: 'move_control_earlier/wf-move/no-stage', decision: 'accept', reason: 'x' });
    await as.own.expectProblem(400, 'POST', '/v1/signals/decisions', { signalId: 'trust_ai_further/a/b', decision: 'accept', reason: 'x' });
  });
});

describe('who sees and decides signals', () => {
  it('an owner sees the signals of their paths only; another owner, a supervisor, a reviewer and a producer may not decide', async () => {
    const own2 = await as.own2.expectOk(DesignSignalsResponse, 'GET', `/v1/metrics/signals?${WEEK}`);
    expect(own2.signals).toEqual([]);
    await as.own2.expectProblem(403, 'GET', `/v1/metrics/signals?${WEEK}&queueId=q-trust-at`);
    const before = await snapshotOf(srv.dbFile);
    const body = { signalId: ids.tighten, decision: 'accept', reason: 'x' };
    await as.own2.expectProblem(403, 'POST', '/v1/signals/decisions', body);
    await as.sup.expectProblem(403, 'POST', '/v1/signals/decisions', body);
    await as.rev1.expectProblem(403, 'POST', '/v1/signals/decisions', body);
    await as.prod.expectProblem(403, 'POST', '/v1/signals/decisions', body);
    await as.rev1.expectProblem(403, 'GET', `/v1/metrics/signals?${WEEK}`);
    await as.prod.expectProblem(403, 'GET', `/v1/metrics/signals?${WEEK}`);
    expect(changedTables(before, await snapshotOf(srv.dbFile))).toEqual([]);
  });

  it('bad bodies and queries are 400 problem details and change nothing (generated)', async () => {
    const before = await snapshotOf(srv.dbFile);
    const nearMiss = fc.record({
      signalId: fc.oneof(fc.constantFrom(ids.trust, ids.move, '', 'trust_ai_further', 'x/y/z', `trust_ai_further/${'q'.repeat(800)}`), fc.string({ maxLength: 30 }), fc.integer()),
      decision: fc.oneof(fc.constantFrom('accept', 'dismiss', 'Accept', ''), fc.jsonValue({ maxDepth: 1 })),
      reason: fc.oneof(fc.constantFrom('', 'ok', 'x'.repeat(5000)), fc.integer(), fc.constant(null)),
      extra: fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined }),
    }, { requiredKeys: [] });
    // Judged as the server receives it: JSON drops a key whose value is undefined (`extra: undefined` would
    // otherwise count as a bad body that arrives as a good one).
    const body = fc.oneof(nearMiss, fc.jsonValue({ maxDepth: 3 })).filter((b) => !SignalDecisionRequest.safeParse(JSON.parse(JSON.stringify(b) ?? 'null')).success);
    await fc.assert(fc.asyncProperty(body, async (b) => {
      const p = await as.own.expectProblem(400, 'POST', '/v1/signals/decisions', b);
      expect(p.status).toBe(400);
      expect(p.detail ?? p.title).toBeTruthy();
    }), { numRuns: 60 });
    for (const q of ['', `${WEEK}&status=maybe`, `${WEEK}&kind=guess`, `from=${encodeURIComponent(iso(10))}&to=${encodeURIComponent(iso(0))}`, 'from=x&to=y']) {
      await as.sup.expectProblem(400, 'GET', `/v1/metrics/signals?${q}`);
    }
    expect(changedTables(before, await snapshotOf(srv.dbFile))).toEqual([]);
  });
});
