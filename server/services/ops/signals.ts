// Design signals (DESIGN §8): five kinds of evidence that a workflow's design, not its reviewers, should
// change. Computed on request from the append-only item event log, the items' exception reasons and the
// corrections, with the rules and thresholds of shared/metrics-definitions.ts (SIGNAL_RULES), over the
// queues the caller sees. An owner's accept / dismiss is an ops event (`signal_decided`, subject = the
// signal id); the latest one is the signal's status. Approval latency comes from the control-point
// metric itself, so a signal and the control-points view never disagree about a p90.
import type { z } from 'zod';
import type { OutcomeKind } from '../../../shared/domain';
import { isoWeekOf, METRIC_DEFINITIONS, ratio, SIGNAL_RULES, SIGNAL_THRESHOLDS } from '../../../shared/metrics-definitions';
import {
  MAX_EVIDENCE_IDS, parseSignalId, SIGNAL_METRIC, signalId, type DesignSignal, type DesignSignalsResponse, type SignalDecisionRecord,
  type SignalDecisionRequest, type SignalDecisionResponse, type SignalKind, type SignalsQuery,
} from '../../../shared/ops-api';
import type { Db } from '../../db/connection';
import type { QueueRow } from '../../db/schema';
import { takeOpsSubjectLock } from '../../db/dialect';
import { writeTransaction } from '../../db/write-transaction';
import { badRequest, forbidden, notFound } from '../../problem';
import type { AuthUser, ServerContext } from '../context';
import { approvalLatency, loadMetrics, type Ev as MetricEv, type Loaded, type ScopedQuery, type SignalSubset } from './metrics';
import { queuesInScope } from './scope';

type Query = z.output<typeof SignalsQuery>;
const MINUTE = 60_000;
const WEEK = 7 * 24 * 60 * MINUTE;
/** Event types that carry labor (DESIGN §6) and the revert that marks rework. */
const EVENT_TYPES = ['decided', 'escalated', 'deferred', 'noted', 'reclassified', 'labor', 'reverted'];
export const SIGNAL_DECIDED_EVENT = 'signal_decided';

/** An event of the metric roll-up with its item's queue now (`queueId`) and the queue it says it happened in. */
interface Ev { seq: number; itemId: string; queueId: string; recordedQueueId: string | null; type: string; at: string; payload: Record<string, unknown> }

const laborMin = (p: Record<string, unknown>): number => {
  const l = p.labor as { activeMs?: number } | null | undefined;
  return typeof l?.activeMs === 'number' ? l.activeMs / MINUTE : 0;
};
const isRework = (p: Record<string, unknown>): boolean => p.rework === true || (p.labor as { rework?: boolean } | null | undefined)?.rework === true;
const pct = (count: number, n: number) => (ratio(count, n) ?? 0) * 100;
const round2 = (x: number) => Math.round(x * 100) / 100;
const chunks = <T>(xs: T[], size = 500): T[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

/** Computed signal before its decision is attached. */
type Fired = Omit<DesignSignal, 'status' | 'decision'>;

interface Ctx { from: string; to: string; weeks: number; queues: QueueRow[]; queueOf: Map<string, QueueRow> }

function evidence(c: Ctx, kind: SignalKind, e: { n: number; count: number | null; value: number; unit: 'percent' | 'minutes'; threshold: number; rule: string },
  ids: Iterable<string>, filter: Record<string, string | number | boolean | string[]>): Fired['evidence'] {
  const all = [...new Set(ids)];
  return { ...e, value: round2(e.value), comparison: e.unit === 'percent' ? 'at_least' : 'more_than', interval: { from: c.from, to: c.to },
    recompute: { itemIds: all.slice(0, MAX_EVIDENCE_IDS), itemIdsTotal: all.length, filter: { metric: SIGNAL_METRIC[kind], from: c.from, to: c.to, ...filter } } };
}

function fired(c: Ctx, kind: SignalKind, id: string, subject: Fired['subject'], ownerIds: string[], summary: string, ev: Fired['evidence'], savedMinutes: number): Fired {
  const def = METRIC_DEFINITIONS[SIGNAL_METRIC[kind]];
  return { id, kind, metric: def.name, title: def.label, summary, subject, ownerIds: [...new Set(ownerIds)].sort(), evidence: ev,
    minutesPerWeekSaved: round2(savedMinutes / c.weeks), savedBasis: def.formula.split('; saves ')[1] ?? def.formula };
}

/** Every signal that fires over [from, to) in the caller's scope (optionally one workflow or queue), with its status. */
export async function designSignals(ctx: ServerContext, user: AuthUser, q: Query): Promise<DesignSignalsResponse> {
  const computedAt = ctx.now().toISOString();
  const signals = (await computeSignals(ctx, user, q))
    .filter((s) => (q.status === 'all' || s.status === q.status) && (q.kind === undefined || s.kind === q.kind));
  return { interval: { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() }, computedAt, signals };
}

/**
 * Every signal that fires over [from, to) in the caller's scope (optionally one workflow or queue, or `onlyQueueIds`).
 *
 * Without `read` (the endpoints and the weekly pack): the database counts what decides whether a signal fires and
 * only the events of the signals that fire are read (`countedSignals`). With `read` (the interval's events, all of
 * them, of these queues): the reference computation, every signal straight from those events (`referenceSignals`).
 * Both end in the same per-kind computations below, so every figure has one definition; a property test holds the
 * two equal (test/server/ops-weekly-pack-reads.test.ts).
 */
export async function computeSignals(ctx: ServerContext, user: AuthUser, q: ScopedQuery, read?: Loaded): Promise<DesignSignal[]> {
  const queues = await queuesInScope(ctx.db, user, q, 'signals');
  const from = new Date(q.from).toISOString();
  const to = new Date(q.to).toISOString();
  if (queues.length === 0) return [];
  const c: Ctx = { from, to, weeks: (Date.parse(to) - Date.parse(from)) / WEEK, queues, queueOf: new Map(queues.map((r) => [r.id, r])) };
  if (read && (read.from !== from || read.to !== to || read.queues.map((r) => r.id).join() !== queues.map((r) => r.id).join())) {
    throw new Error('computeSignals: the events read are of another interval or other queues');
  }
  const scoped = { from, to, queueId: q.queueId, workflow: q.workflow, onlyQueueIds: q.onlyQueueIds };
  const out = read ? await referenceSignals(ctx, c, read) : await countedSignals(ctx, c, (subset) => loadMetrics(ctx, user, { ...scoped, subset }, 'events-only'));
  const decisions = await latestDecisions(ctx.db, out.map((s) => s.id));
  return out.map((s): DesignSignal => {
    const d = decisions.get(s.id) ?? null;
    return { ...s, status: d === null ? 'open' : d.decision === 'accept' ? 'accepted' : 'dismissed', decision: d };
  }).sort((a, b) => b.minutesPerWeekSaved - a.minutesPerWeekSaved || (a.id < b.id ? -1 : 1));
}

/** The reference: each kind computed from every event of the interval. */
async function referenceSignals(ctx: ServerContext, c: Ctx, l: Loaded): Promise<Fired[]> {
  const k = counted(l);
  return [...trustAiFurther(c, k), ...delegateOverride(c, k), ...tightenInput(c, await createdInDataQueues(ctx.db, c), k), ...simplifyBranch(c, k),
    ...moveControlEarlier(c, await correctionsOf(ctx.db, c), k)].map((f) => f.signal);
}

/**
 * The same signals, reading little: per kind, what decides whether a signal fires is counted in the database or
 * read narrowly (each read below holds every event that decision depends on), and the kind's computation runs
 * again on every event of the items behind the signals that fire (their evidence and minutes saved), keeping those.
 */
async function countedSignals(ctx: ServerContext, c: Ctx, read: (subset: SignalSubset) => Promise<Loaded>): Promise<Fired[]> {
  const out: Fired[] = [];
  const ofItems = async (found: Found[], kind: (k: Counted) => Found[]) => {
    if (found.length === 0) return;
    const ids = new Set(found.map((f) => f.signal.id));
    out.push(...kind(counted(await read({ itemIds: [...new Set(found.flatMap((f) => f.items))] }))).filter((f) => ids.has(f.signal.id)).map((f) => f.signal));
  };
  // 1. The outcomes per queue counted in the database; a queue that fires has its outcomes read (only outcomes count).
  const firing = (await outcomeCounts(ctx.db, c)).filter((n) => SIGNAL_RULES.trustAiFurther(n.approves, n.outcomes)).map((n) => n.queueId);
  if (firing.length > 0) out.push(...trustAiFurther(c, counted(await read({ decidedIn: firing }))).map((f) => f.signal));
  // 2. Owners' outcomes on escalations: few, and all the signal counts. 4. The steps with a reason code and the
  // outcomes of their items decide. (One read holds both: each kind counts only its own events.)
  const escalations = counted(await read('escalations-and-branches'));
  out.push(...delegateOverride(c, escalations).map((f) => f.signal));
  await ofItems(simplifyBranch(c, escalations), (k) => simplifyBranch(c, k));
  // 3. and 5.: the new items' codes and the corrections decide; events only give the minutes saved.
  const created = await createdInDataQueues(ctx.db, c);
  await ofItems(tightenInput(c, created, NO_EVENTS), (k) => tightenInput(c, created, k));
  const corrections = await correctionsOf(ctx.db, c);
  await ofItems(moveControlEarlier(c, corrections, NO_EVENTS), (k) => moveControlEarlier(c, corrections, k));
  return out;
}

/** A signal found, and every item whose events its figures read. */
interface Found { signal: Fired; items: string[] }
/** The events a kind counts (of the read's items, in log order), and per item. */
interface Counted { l: Loaded; events: Ev[]; eventsOf: Map<string, Ev[]> }
const NO_EVENTS: Counted = { l: null as never, events: [], eventsOf: new Map() };

function counted(l: Loaded): Counted {
  const events: Ev[] = l.events.filter((e) => EVENT_TYPES.includes(e.type))
    .map((e) => ({ seq: e.seq, itemId: e.itemId, queueId: l.items.get(e.itemId)!.queueId, recordedQueueId: e.recordedQueueId, type: e.type, at: e.at, payload: e.payload }));
  const eventsOf = new Map<string, Ev[]>();
  for (const e of events) { const x = eventsOf.get(e.itemId); if (x) x.push(e); else eventsOf.set(e.itemId, [e]); }
  return { l, events, eventsOf };
}

const laborOn = (k: Counted, itemIds: Iterable<string>, only?: (e: Ev) => boolean) => {
  let m = 0;
  for (const id of itemIds) for (const e of k.eventsOf.get(id) ?? []) if (!only || only(e)) m += laborMin(e.payload);
  return m;
};
/** The queue of a decision at the time it was made (a reclassification may have moved the item since). */
const decidedQueue = (e: Pick<Ev, 'recordedQueueId' | 'queueId'>) => e.recordedQueueId ?? e.queueId;

/** Signal 1's counts: each queue's outcomes in the interval (by the queue they were decided in) and its approves as-is. */
async function outcomeCounts(db: Db, c: Ctx): Promise<{ queueId: string; outcomes: number; approves: number }[]> {
  const rows = await db.selectFrom('metric_events').crossJoin('items')
    .select((eb) => ['metric_events.queue_id as recorded', 'items.queue_id', eb.fn.countAll().as('n'),
      eb.fn.sum(eb.case().when(eb.and([eb('metric_events.kind', '=', 'approve'), eb('metric_events.override', '!=', 1)])).then(1).else(0).end()).as('approves')])
    .whereRef('items.id', '=', 'metric_events.item_id').where('metric_events.at', '>=', c.from).where('metric_events.at', '<', c.to)
    .where('metric_events.type', '=', 'decided').where('items.queue_id', 'in', c.queues.map((r) => r.id))
    .groupBy(['metric_events.queue_id', 'items.queue_id']).execute();
  const byQueue = new Map(c.queues.map((r) => [r.id, { queueId: r.id, outcomes: 0, approves: 0 }]));
  for (const r of rows) {
    const n = byQueue.get(decidedQueue({ recordedQueueId: r.recorded, queueId: r.queue_id }));
    if (n) { n.outcomes += Number(r.n); n.approves += Number(r.approves); }
  }
  return [...byQueue.values()];
}

// 1. trust the AI further: approve-as-is share of each queue's outcomes.
function trustAiFurther(c: Ctx, k: Counted): Found[] {
  const T1 = SIGNAL_THRESHOLDS.trustAiFurther;
  const out: Found[] = [];
  for (const qr of c.queues) {
    const outcomes = k.events.filter((e) => e.type === 'decided' && decidedQueue(e) === qr.id);
    const approves = outcomes.filter((e) => e.payload.kind === 'approve' && e.payload.override !== true);
    if (!SIGNAL_RULES.trustAiFurther(approves.length, outcomes.length)) continue;
    const share = pct(approves.length, outcomes.length);
    out.push({ items: outcomes.map((e) => e.itemId), signal: fired(c, 'trust_ai_further', signalId({ kind: 'trust_ai_further', queueId: qr.id }),
      { workflow: qr.workflow, stage: qr.stage, queueId: qr.id, exceptionClass: qr.exception_class }, [qr.owner_id],
      `${approves.length} of ${outcomes.length} outcomes in ${qr.id} (${round2(share)} %) approved the AI output as it was.`,
      evidence(c, 'trust_ai_further', { n: outcomes.length, count: approves.length, value: share, unit: 'percent', threshold: T1.minApprovePercent,
        rule: `approve-as-is ≥ ${T1.minApprovePercent} % of outcomes, n ≥ ${T1.minOutcomes}` }, approves.map((e) => e.itemId), { queueId: qr.id, kind: 'approve' }),
      approves.reduce((m, e) => m + laborMin(e.payload), 0)) });
  }
  return out;
}

// 2. delegate override authority: approval latency p90 (the control-point figure) over the SLA target.
function delegateOverride(c: Ctx, k: Counted): Found[] {
  const T2 = SIGNAL_THRESHOLDS.delegateOverride;
  const l = k.l;
  const out: Found[] = [];
  // Each queue's events (of its items now), grouped once for approval latency.
  const eventsOfQueue = new Map<string, MetricEv[]>(l.queues.map((r) => [r.id, []]));
  for (const e of l.events) eventsOfQueue.get(l.items.get(e.itemId)!.queueId)?.push(e);
  for (const qr of l.queues) {
    const lat = approvalLatency(l, qr, eventsOfQueue.get(qr.id));
    const cp = { slaTargetMinutes: qr.sla_target_minutes };
    if (!SIGNAL_RULES.delegateOverride(lat.n, lat.p90, cp.slaTargetMinutes)) continue;
    const ownerOutcomes = k.events.filter((e) => e.type === 'decided' && e.payload.afterEscalation === true && decidedQueue(e) === qr.id);
    out.push({ items: [], signal: fired(c, 'delegate_override', signalId({ kind: 'delegate_override', queueId: qr.id }),
      { workflow: qr.workflow, stage: qr.stage, queueId: qr.id, exceptionClass: qr.exception_class }, [qr.owner_id],
      `Escalations in ${qr.id} waited ${round2(lat.p90!)} min at p90 for the owner's outcome (n = ${lat.n}), more than the ${cp.slaTargetMinutes}-minute SLA target.`,
      { ...evidence(c, 'delegate_override', { n: lat.n, count: null, value: lat.p90!, unit: 'minutes', threshold: cp.slaTargetMinutes,
        rule: `approval latency p90 > SLA target (${cp.slaTargetMinutes} min), n ≥ ${T2.minEscalations}` }, [], {}), recompute: lat.recompute },
      ownerOutcomes.reduce((m, e) => m + laborMin(e.payload), 0)) });
  }
  return out;
}

type CreatedRow = { id: string; queue_id: string; reasons: string };
/** Items created in the interval in the data-integrity queues (signal 3), in id order. */
async function createdInDataQueues(db: Db, c: Ctx): Promise<CreatedRow[]> {
  const dataQueues = c.queues.filter((r) => r.exception_class === 'data_integrity');
  if (dataQueues.length === 0) return [];
  return db.selectFrom('items').select(['id', 'queue_id', 'reasons'])
    .where('queue_id', 'in', dataQueues.map((r) => r.id)).where('created_at', '>=', c.from).where('created_at', '<', c.to).orderBy('id').execute();
}

// 3. tighten an input constraint: one validation code behind a large share of a data-integrity queue's exceptions.
function tightenInput(c: Ctx, created: CreatedRow[], k: Counted): Found[] {
  const T3 = SIGNAL_THRESHOLDS.tightenInput;
  const out: Found[] = [];
  for (const qr of c.queues.filter((r) => r.exception_class === 'data_integrity')) {
    const items = created.filter((r) => r.queue_id === qr.id);
    const byCode = new Map<string, string[]>();
    for (const it of items) {
      for (const code of new Set((JSON.parse(it.reasons) as { code: string }[]).map((r) => r.code))) {
        const ids = byCode.get(code);
        if (ids) ids.push(it.id); else byCode.set(code, [it.id]);
      }
    }
    for (const [code, ids] of [...byCode].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!SIGNAL_RULES.tightenInput(ids.length, items.length)) continue;
      const share = pct(ids.length, items.length);
      out.push({ items: ids, signal: fired(c, 'tighten_input', signalId({ kind: 'tighten_input', queueId: qr.id, code }),
        { workflow: qr.workflow, stage: qr.stage, queueId: qr.id, exceptionClass: qr.exception_class, validationCode: code }, [qr.owner_id],
        `${ids.length} of the ${items.length} exceptions ${qr.id} received (${round2(share)} %) failed the check ${code}.`,
        evidence(c, 'tighten_input', { n: items.length, count: ids.length, value: share, unit: 'percent', threshold: T3.minPercent,
          rule: `one validation code ≥ ${T3.minPercent} % of a data-integrity queue's new exceptions, n ≥ ${T3.minItems}` }, ids, { queueId: qr.id, reasonCode: code, createdInInterval: true }),
        laborOn(k, ids)) });
    }
  }
  return out;
}

// 4. simplify a decision branch: a reason code on an escalation or reclassification, then the same outcome.
function simplifyBranch(c: Ctx, k: Counted): Found[] {
  const T4 = SIGNAL_THRESHOLDS.simplifyBranch;
  const branches = new Map<string, { queueId: string; code: string; byOutcome: Map<string, { itemIds: string[]; labor: number }>; n: number; items: string[] }>();
  for (const step of k.events) {
    if ((step.type !== 'escalated' && step.type !== 'reclassified') || typeof step.payload.reasonCode !== 'string') continue;
    const queueId = step.type === 'reclassified' && step.recordedQueueId !== null ? step.recordedQueueId : step.queueId;
    if (!c.queueOf.has(queueId)) continue;
    const after = (k.eventsOf.get(step.itemId) ?? []).filter((e) => e.seq > step.seq);
    const end = after.findIndex((e) => e.type === 'decided');
    if (end < 0) continue;
    const outcome = String(after[end].payload.kind);
    const key = `${queueId}\u0000${step.payload.reasonCode}`;
    const b = branches.get(key) ?? { queueId, code: step.payload.reasonCode, byOutcome: new Map(), n: 0, items: [] as string[] };
    branches.set(key, b);
    b.n += 1;
    b.items.push(step.itemId);
    const o = b.byOutcome.get(outcome) ?? { itemIds: [], labor: 0 };
    b.byOutcome.set(outcome, o);
    o.itemIds.push(step.itemId);
    o.labor += after.slice(0, end + 1).reduce((m, e) => m + laborMin(e.payload), 0);
  }
  const out: Found[] = [];
  for (const b of [...branches.values()].sort((x, y) => (x.queueId + x.code < y.queueId + y.code ? -1 : 1))) {
    const [outcome, top] = [...b.byOutcome].sort(([ka, a], [kb, z]) => z.itemIds.length - a.itemIds.length || (ka < kb ? -1 : 1))[0];
    if (!SIGNAL_RULES.simplifyBranch(top.itemIds.length, b.n)) continue;
    const qr = c.queueOf.get(b.queueId)!;
    const share = pct(top.itemIds.length, b.n);
    out.push({ items: b.items, signal: fired(c, 'simplify_branch', signalId({ kind: 'simplify_branch', queueId: qr.id, code: b.code }),
      { workflow: qr.workflow, stage: qr.stage, queueId: qr.id, exceptionClass: qr.exception_class, reasonCode: b.code, outcome: outcome as OutcomeKind }, [qr.owner_id],
      `${top.itemIds.length} of ${b.n} items escalated or reclassified in ${qr.id} with reason ${b.code} (${round2(share)} %) ended in ${outcome}.`,
      evidence(c, 'simplify_branch', { n: b.n, count: top.itemIds.length, value: share, unit: 'percent', threshold: T4.minSameOutcomePercent,
        rule: `the same outcome ≥ ${T4.minSameOutcomePercent} % after the reason code, n ≥ ${T4.minItems}` }, top.itemIds, { queueId: qr.id, reasonCode: b.code, outcome }),
      top.labor) });
  }
  return out;
}

type CorrectionRow = { item_id: string; minutes: number | null; workflow: string; stage: string };
/** Corrections detected in the interval of items now in the queues, in recorded order (signal 5). */
async function correctionsOf(db: Db, c: Ctx): Promise<CorrectionRow[]> {
  return db.selectFrom('corrections').innerJoin('items', 'items.id', 'corrections.item_id')
    .select(['corrections.item_id', 'corrections.minutes', 'items.workflow', 'items.stage'])
    .where('items.queue_id', 'in', c.queues.map((r) => r.id)).where('corrections.detected_at', '>=', c.from).where('corrections.detected_at', '<', c.to)
    .orderBy('corrections.id').execute();
}

// 5. move a control earlier: downstream corrections concentrated in one stage of a workflow.
function moveControlEarlier(c: Ctx, corrections: CorrectionRow[], k: Counted): Found[] {
  const T5 = SIGNAL_THRESHOLDS.moveControlEarlier;
  const byWorkflow = new Map<string, CorrectionRow[]>();
  for (const r of corrections) {
    const rows = byWorkflow.get(r.workflow);
    if (rows) rows.push(r); else byWorkflow.set(r.workflow, [r]);
  }
  const out: Found[] = [];
  for (const [workflow, rows] of [...byWorkflow].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const stages = [...new Set(rows.map((r) => r.stage))].sort();
    for (const stage of stages) {
      const inStage = rows.filter((r) => r.stage === stage);
      if (!SIGNAL_RULES.moveControlEarlier(inStage.length, rows.length)) continue;
      const ids = [...new Set(inStage.map((r) => r.item_id))];
      const share = pct(inStage.length, rows.length);
      const owners = c.queues.filter((r) => r.workflow === workflow && r.stage === stage).map((r) => r.owner_id);
      out.push({ items: ids, signal: fired(c, 'move_control_earlier', signalId({ kind: 'move_control_earlier', workflow, stage }), { workflow, stage }, owners,
        `${inStage.length} of the ${rows.length} downstream corrections of ${workflow} (${round2(share)} %) were of outcomes decided at stage ${stage}.`,
        evidence(c, 'move_control_earlier', { n: rows.length, count: inStage.length, value: share, unit: 'percent', threshold: T5.minStagePercent,
          rule: `one stage ≥ ${T5.minStagePercent} % of a workflow's corrections, n ≥ ${T5.minCorrections}` }, ids, { workflow, stage, correctionsDetectedInInterval: true }),
        inStage.reduce((m, r) => m + (r.minutes ?? 0), 0) + laborOn(k, ids, (e) => isRework(e.payload))) });
    }
  }
  return out;
}

/** The latest accept / dismiss of each signal id (ops events, in recorded order). */
export async function latestDecisions(db: Db, ids: string[]): Promise<Map<string, SignalDecisionRecord>> {
  const out = new Map<string, SignalDecisionRecord>();
  for (const part of chunks([...new Set(ids)])) {
    const rows = await db.selectFrom('ops_events').select(['subject', 'actor_id', 'at', 'payload']).where('type', '=', SIGNAL_DECIDED_EVENT)
      .where('subject', 'in', part).orderBy('seq').execute();
    for (const r of rows) {
      const { ownerIds: _owners, ...record } = decisionFromEvent(r);
      out.set(r.subject, record);
    }
  }
  return out;
}

export interface SignalDecisionEvent { subject: string; actor_id: string; at: string; payload: string }
export function decisionFromEvent(r: SignalDecisionEvent): SignalDecisionRecord & { ownerIds: string[] } {
  const p = JSON.parse(r.payload) as { decision: 'accept' | 'dismiss'; reason: string; week: string; ownerIds: string[] };
  return { decision: p.decision, by: r.actor_id, at: r.at, reason: p.reason, week: p.week, ownerIds: p.ownerIds };
}

/** The queues a signal is about, and so who may decide it: its queue, or every queue of its workflow stage. */
async function subjectQueues(db: Db, id: string): Promise<QueueRow[]> {
  const ref = parseSignalId(id);
  if (!ref) throw badRequest(`'${id}' is not a signal id`, [{ path: 'signalId', message: 'not a signal id' }]);
  const q = db.selectFrom('queues').selectAll();
  return ref.kind === 'move_control_earlier'
    ? q.where('workflow', '=', ref.workflow).where('stage', '=', ref.stage).orderBy('id').execute()
    : q.where('id', '=', ref.queueId).execute();
}

/**
 * Accept or dismiss a signal (an owner of its subject, or an admin): one `signal_decided` ops event, unless
 * the latest decision already says the same with the same reason. Accepting makes an action item in the
 * weekly review pack of the week of the decision, for every owner of the subject.
 */
export async function decideSignal(ctx: ServerContext, user: AuthUser, req: z.output<typeof SignalDecisionRequest>): Promise<SignalDecisionResponse> {
  return writeTransaction(ctx.db, async (tx) => {
    const queues = await subjectQueues(tx, req.signalId);
    if (queues.length === 0) throw notFound(`signal '${req.signalId}' names no queue (or workflow stage) that exists`);
    const isAdmin = user.roles.includes('admin');
    if (!isAdmin && !queues.some((r) => r.owner_id === user.id)) {
      throw forbidden(`only an owner of ${queues.map((r) => r.id).join(', ')} or an admin may decide on this signal`);
    }
    const ownerIds = [...new Set(queues.map((r) => r.owner_id))].sort();
    await takeOpsSubjectLock(tx, req.signalId);
    const latest = (await latestDecisions(tx, [req.signalId])).get(req.signalId);
    const status = req.decision === 'accept' ? 'accepted' : 'dismissed';
    if (latest && latest.decision === req.decision && latest.reason === req.reason) {
      return { signalId: req.signalId, status, decision: latest, recorded: false, ownerIds };
    }
    const now = ctx.now();
    const decision: SignalDecisionRecord = { decision: req.decision, by: user.id, at: now.toISOString(), reason: req.reason, week: isoWeekOf(now) };
    const kind = parseSignalId(req.signalId)!.kind;
    await tx.insertInto('ops_events').values({ type: SIGNAL_DECIDED_EVENT, actor_id: user.id, at: decision.at, subject: req.signalId,
      payload: JSON.stringify({ decision: req.decision, reason: req.reason, week: decision.week, ownerIds, kind, queueIds: queues.map((r) => r.id) }) }).execute();
    return { signalId: req.signalId, status, decision, recorded: true, ownerIds };
  });
}
