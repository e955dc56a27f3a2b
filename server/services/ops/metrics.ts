// Metrics of exception operations (DESIGN §8), computed from the append-only item event log (and the items'
// enqueue and SLA due times, fixed at ingest), with the definitions and pure computations of
// shared/metrics-definitions.ts. Portable Kysely reads (no dialect SQL) of the log's roll-ups
// (services/metric-rollups.ts: metric_events, item_facts; kept in the events' transaction, rebuildable from
// the log): the asked interval's events and only the items a figure of that interval can need are read once
// and folded in memory. Every figure carries its n, interval and the item ids
// (or the filter) to recompute it.
import type { z } from 'zod';
import {
  ACTIVE_NOW_MINUTES, costToCompletion, isAtRisk, ratio, reworkRatePercent, slaCycle, slaMinutesLeft, slaPausedNow, slaResolutionMinutes,
  summarizePercentiles, withinSlaPercent, type MetricName, type SlaClockFacts,
} from '../../../shared/metrics-definitions';
import {
  MAX_EVIDENCE_IDS, type ControlPointMetrics, type ControlPointsResponse, type ExceptionTaxGroup, type ExceptionTaxQuery, type ExceptionTaxResponse,
  type Figure, type MetricsQuery, type PercentileFigure, type TeamMetrics, type TeamMetricsQuery,
} from '../../../shared/ops-api';
import { BUCKET_MS, bucketSpans, type MetricsBucket } from '../../../shared/ops-buckets';
import type { Db } from '../../db/connection';
import type { QueueRow } from '../../db/schema';
import type { AuthUser, ServerContext } from '../context';
import { queuesInScope } from './scope';

type Query = z.output<typeof MetricsQuery>;
const MINUTE = 60_000;
const LABOR_TYPES = ['decided', 'escalated', 'deferred', 'noted', 'reclassified', 'labor'];

/**
 * One event as the metrics read it (a metric_events row). `payload` holds the projected fields under the log's
 * own names (kind, reasonCode, labor.activeMs / openedAt, rework, afterEscalation, override, rollbackId,
 * minutes, amount); `escalatedAt`: for an owner's outcome on an escalation, when that escalation happened.
 */
export interface Ev {
  seq: number; itemId: string; type: string; actor: string | null; at: string; escalatedAt: string | null;
  /** The queue the event says it happened in (a decision's queueId, a reclassification's fromQueueId), or null. */
  recordedQueueId: string | null;
  payload: Record<string, unknown>;
}
/**
 * An item with its facts from the whole log (item_facts): first outcome and first touch, whenever they were,
 * and its SLA clock (`dueAt` paused-adjusted; shared/metrics-definitions.ts SLA_CLOCK).
 */
export interface ItemFacts extends SlaClockFacts {
  id: string; queueId: string; status: string; assigneeId: string | null; createdAt: string; firstTouchAt: string | null;
}

/**
 * One interval read. Without 'sla' among `needs` the items carry only id, queue and creation time (the rest
 * is blank): team, tax and signals need no more, and the control points refuse such a read.
 */
export interface Loaded { from: string; to: string; now: Date; queues: QueueRow[]; items: Map<string, ItemFacts>; events: Ev[]; needs: ItemNeeds[] }

const laborMs = (p: Record<string, unknown>): number => {
  const l = p.labor as { activeMs?: number } | null | undefined;
  return typeof l?.activeMs === 'number' ? l.activeMs : 0;
};
const isRework = (p: Record<string, unknown>): boolean => p.rework === true || (p.labor as { rework?: boolean } | null | undefined)?.rework === true;
const minutes = (ms: number) => ms / MINUTE;

function recompute(metric: MetricName, ids: Iterable<string>, filter: Record<string, string | number | boolean | string[]>) {
  const all = [...new Set(ids)];
  return { itemIds: all.slice(0, MAX_EVIDENCE_IDS), itemIdsTotal: all.length, filter: { metric, ...filter } };
}

function figure(metric: MetricName, value: number | null, n: number, l: Loaded, ids: Iterable<string>, filter: Record<string, string | number | boolean | string[]>, note?: string): Figure {
  return { metric, value, n, interval: { from: l.from, to: l.to }, recompute: recompute(metric, ids, filter), ...(note ? { note } : {}) };
}

function percentiles(metric: MetricName, values: { itemId: string; minutes: number }[], l: Loaded, filter: Record<string, string | number | boolean | string[]>): PercentileFigure {
  const s = summarizePercentiles(values.map((v) => v.minutes));
  return { metric, ...s, interval: { from: l.from, to: l.to }, recompute: recompute(metric, values.map((v) => v.itemId), filter),
    ...(s.n > 0 && s.p50 === null ? { note: `n = ${s.n} < 20: percentiles hidden, max shown` } : {}) };
}

const ITEM_COLUMNS = ['items.id', 'items.queue_id', 'items.enqueued_at', 'items.sla_due_at', 'items.status', 'items.assignee_id', 'items.created_at',
  'item_facts.first_outcome_at', 'item_facts.first_touch_at', 'item_facts.sla_due_at as paused_due_at', 'item_facts.sla_paused_since',
  'item_facts.sla_paused_ms'] as const;
const UNRESOLVED_STATUSES = ['open', 'leased', 'escalated'];
/** Item ids per read by primary key (well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters). */
const ITEMS_PER_READ = 5000;
/** A light item (see Loaded): id, queue and creation time read, the rest blank. */
const lightItem = (id: string, queueId: string, createdAt: string): ItemFacts => ({ id, queueId, enqueuedAt: '', dueAt: '', pausedSince: null, pausedMinutesBeforeOutcome: 0,
  status: '', assigneeId: null, createdAt, firstOutcomeAt: null, firstTouchAt: null });

/**
 * The queues asked for (all of the caller's, or one queue / one workflow of them), their events in the
 * interval, and the items any figure of the interval needs: unresolved now, SLA due, created, first decided
 * or first touched in the interval, or behind one of the events. Each read is an index range.
 */
/** Which items a view needs beside those behind its events: team none, control points their SLA cycles, tax the ones created. */
type ItemNeeds = 'events-only' | 'sla' | 'created';
/**
 * An interval and its filters; `onlyQueueIds` narrows the caller's queues further (the weekly pack: one owner's paths).
 */
export type ScopedQuery = Pick<Query, 'from' | 'to' | 'queueId' | 'workflow'> & {
  onlyQueueIds?: ReadonlySet<string>;
  /** Only owners' outcomes on escalations (approval latency): a read for the control points alone. */
  approvalEventsOnly?: boolean;
  /** Only the events one design signal counts (signals.ts countedSignals); a light read only. */
  subset?: SignalSubset;
};

/**
 * The events a design signal needs, read alone (each of items now in the asked queues): 'escalations-and-branches',
 * owners' outcomes on escalations (signal 2) and, of every item with a step (an escalation or reclassification with
 * a reason code), its steps and outcomes (signal 4: each of the two counts only its own, all there once);
 * `decidedIn`, the outcomes decided in these queues (signal 1); `itemIds`, every event of these items (the evidence of
 * the signals that fire).
 */
export type SignalSubset = 'escalations-and-branches' | { decidedIn: string[] } | { itemIds: string[] };
/** Steps of a decision branch (signal 4): events that may carry its reason code. */
export const BRANCH_STEP_TYPES = ['escalated', 'reclassified'] as const;

/** The interval's events and items, read once (several views of one interval may share them: the weekly pack, signals). */
export async function loadMetrics(ctx: ServerContext, user: AuthUser, q: ScopedQuery, ...needs: ItemNeeds[]): Promise<Loaded> {
  const queues = await queuesInScope(ctx.db, user, q, 'metrics');
  const from = new Date(q.from).toISOString();
  const to = new Date(q.to).toISOString();
  const queueIds = queues.map((r) => r.id);
  const items = new Map<string, ItemFacts>();
  const events: Ev[] = [];
  if (queueIds.length > 0) {
    type ItemRow = { id: string; queue_id: string; enqueued_at: string; sla_due_at: string; status: string; assignee_id: string | null; created_at: string;
      first_outcome_at: string | null; first_touch_at: string | null; paused_due_at: string | null; sla_paused_since: string | null; sla_paused_ms: number | string | null };
    const keep = (r: ItemRow) => {
      if (!items.has(r.id)) {
        items.set(r.id, { id: r.id, queueId: r.queue_id, enqueuedAt: r.enqueued_at, dueAt: r.paused_due_at ?? r.sla_due_at, pausedSince: r.sla_paused_since,
          pausedMinutesBeforeOutcome: minutes(Number(r.sla_paused_ms ?? 0)), status: r.status, assigneeId: r.assignee_id,
          createdAt: r.created_at, firstOutcomeAt: r.first_outcome_at, firstTouchAt: r.first_touch_at });
      }
    };
    const keepLight = (r: { id: string; queue_id: string; created_at: string }) => { if (!items.has(r.id)) items.set(r.id, lightItem(r.id, r.queue_id, r.created_at)); };
    const full = needs.includes('sla');
    const fromItems = () => ctx.db.selectFrom('items').leftJoin('item_facts', 'item_facts.item_id', 'items.id').select([...ITEM_COLUMNS]).where('items.queue_id', 'in', queueIds);
    const fromLightItems = () => ctx.db.selectFrom('items').select(['items.id', 'items.queue_id', 'items.created_at']).where('items.queue_id', 'in', queueIds);
    /** Items by primary key, those of the asked queues kept (ranges of other tables are read alone first, by their index). */
    const keepByIds = async (ids: string[]) => {
      const missing = [...new Set(ids)].filter((id) => !items.has(id));
      for (let i = 0; i < missing.length; i += ITEMS_PER_READ) {
        const part = missing.slice(i, i + ITEMS_PER_READ);
        if (full) for (const r of await fromItems().where('items.id', 'in', part).execute()) keep(r);
        else for (const r of await fromLightItems().where('items.id', 'in', part).execute()) keepLight(r);
      }
    };
    if (needs.includes('sla')) {
      for (const r of await fromItems().where('items.status', 'in', UNRESOLVED_STATUSES).execute()) keep(r);
      // SLA due in the interval, and created in it when asked too: mostly the same items, so read once (two index ranges).
      const dueOrCreated = fromItems().where((eb) => eb.or([eb.and([eb('items.sla_due_at', '>=', from), eb('items.sla_due_at', '<', to)]),
        ...(needs.includes('created') ? [eb.and([eb('items.created_at', '>=', from), eb('items.created_at', '<', to)])] : [])]));
      for (const r of await dueOrCreated.execute()) keep(r);
      // Paused-adjusted due times in the interval (an item whose pause moved its due time into it), first
      // outcomes and first touches in it: the roll-up's own indexes, in one query (mostly the same items).
      await keepByIds((await ctx.db.selectFrom('item_facts').select('item_id')
        .where((eb) => eb.or((['sla_due_at', 'first_outcome_at', 'first_touch_at'] as const).map((col) => eb.and([eb(col, '>=', from), eb(col, '<', to)]))))
        .execute()).map((r) => r.item_id));
    }
    if (needs.includes('created')) {
      // (Read whole with the SLA items above.)
      if (!full) for (const r of await fromLightItems().where('items.created_at', '>=', from).where('items.created_at', '<', to).execute()) keepLight(r);
    }
    // The interval's events by the time index. Light: each with its item by primary key in the same read (CROSS
    // JOIN keeps that order on SQLite, where an inner join could let the planner drive from items, which have no
    // index on queue; PostgreSQL plans it as the inner join it is). Whole: the SLA reads above hold most of
    // their items already, so the events come alone and the missing items by primary key after.
    const eventColumns = ['metric_events.seq', 'metric_events.item_id', 'metric_events.type', 'metric_events.actor_id', 'metric_events.at', 'metric_events.kind',
      'metric_events.reason_code', 'metric_events.labor_ms', 'metric_events.opened_at', 'metric_events.rework', 'metric_events.after_escalation',
      'metric_events.override', 'metric_events.rollback_id', 'metric_events.escalated_at', 'metric_events.correction_minutes',
      'metric_events.correction_amount', 'metric_events.queue_id as recorded_queue_id'] as const;
    const timeRange = ctx.db.selectFrom('metric_events').where('metric_events.at', '>=', from).where('metric_events.at', '<', to);
    const subset = q.subset;
    let rows;
    if (full) {
      if (subset) throw new Error('loadMetrics: a signal subset is a light read');
      const inInterval = q.approvalEventsOnly ? timeRange.where('metric_events.type', '=', 'decided').where('metric_events.escalated_at', 'is not', null) : timeRange;
      rows = await inInterval.select([...eventColumns]).execute();
      await keepByIds(rows.map((r) => r.item_id));
    } else {
      const light = () => timeRange.crossJoin('items').select([...eventColumns, 'items.queue_id', 'items.created_at'])
        .whereRef('items.id', '=', 'metric_events.item_id').where('items.queue_id', 'in', queueIds);
      if (subset === undefined) rows = await light().execute();
      else if (subset === 'escalations-and-branches') {
        // (The items with a step found first by the time index alone; one scan of the interval then reads both.)
        const stepped = ctx.db.selectFrom('metric_events as s').select('s.item_id').where('s.at', '>=', from).where('s.at', '<', to)
          .where('s.type', 'in', [...BRANCH_STEP_TYPES]).where('s.reason_code', 'is not', null);
        rows = await light().where('metric_events.type', 'in', [...BRANCH_STEP_TYPES, 'decided']).where((eb) => eb.or([
          eb.and([eb('metric_events.type', '=', 'decided'), eb.or([eb('metric_events.after_escalation', '=', 1), eb('metric_events.escalated_at', 'is not', null)])]),
          eb('metric_events.item_id', 'in', stepped)])).execute();
      } else if ('decidedIn' in subset) {
        rows = await light().where('metric_events.type', '=', 'decided')
          .where((eb) => eb.fn.coalesce('metric_events.queue_id', 'items.queue_id'), 'in', subset.decidedIn.length > 0 ? subset.decidedIn : ['\u0000']).execute();
      } else {
        rows = [];
        const ids = [...new Set(subset.itemIds)];
        for (let i = 0; i < ids.length; i += ITEMS_PER_READ) rows.push(...await light().where('metric_events.item_id', 'in', ids.slice(i, i + ITEMS_PER_READ)).execute());
      }
      for (const r of rows) if (!items.has(r.item_id)) items.set(r.item_id, lightItem(r.item_id, r.queue_id, r.created_at));
    }
    // In log order (sorted here: ORDER BY seq could make SQLite walk the table in seq order).
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    for (const r of rows) {
      if (!items.has(r.item_id)) continue; // an item of another queue
      events.push({ seq: Number(r.seq), itemId: r.item_id, type: r.type, actor: r.actor_id, at: r.at, escalatedAt: r.escalated_at, recordedQueueId: r.recorded_queue_id, payload: {
        kind: r.kind, reasonCode: r.reason_code, labor: { activeMs: Number(r.labor_ms), openedAt: r.opened_at }, rework: Number(r.rework) === 1,
        afterEscalation: Number(r.after_escalation) === 1, override: Number(r.override) === 1, rollbackId: r.rollback_id,
        minutes: r.correction_minutes === null ? null : Number(r.correction_minutes), amount: r.correction_amount === null ? null : Number(r.correction_amount) } });
    }
  }
  // In id order: figures list their item ids in this order, whatever order the reads above found them in (SQLite
  // answers in rowid order and PostgreSQL in heap order: the same data would explain itself differently). The
  // default sort orders strings by UTF-16 code units, as < does, without a comparator call per step.
  const byId = new Map([...items.keys()].sort().map((id) => [id, items.get(id)!] as const));
  return { from, to, now: ctx.now(), queues, items: byId, events, needs };
}

const inWindow = (l: Loaded, at: string) => at >= l.from && at < l.to;
const isOutcome = (e: Ev) => e.type === 'decided';

// ---------- team ----------

/** Outcomes and labor per bucket of the interval; labor counts where it was recorded, outcomes at completion. */
function teamBuckets(l: Loaded, bucket: MetricsBucket): NonNullable<TeamMetrics['buckets']> {
  const spans = bucketSpans(bucket, Date.parse(l.from), Date.parse(l.to));
  const points = spans.map((s) => ({ start: new Date(s.from).toISOString(), outcomes: 0, laborMs: 0, reworkMs: 0 }));
  const first = spans.length > 0 ? spans[0].from : 0;
  // Spans are contiguous: the first may be partial, every later one starts on a whole bucket boundary.
  const indexOf = (ms: number) => (spans.length <= 1 || ms < spans[1].from ? 0 : 1 + Math.floor((ms - spans[1].from) / BUCKET_MS[bucket]));
  for (const e of l.events) {
    if (!LABOR_TYPES.includes(e.type)) continue;
    const ms = Date.parse(e.at);
    if (ms < first) continue;
    const p = points[Math.min(indexOf(ms), points.length - 1)];
    if (isOutcome(e)) p.outcomes += 1;
    if (isRework(e.payload)) p.reworkMs += laborMs(e.payload); else p.laborMs += laborMs(e.payload);
  }
  return { bucket, points: points.map((p) => ({ start: p.start, outcomes: p.outcomes, laborMinutes: minutes(p.laborMs), reworkLaborMinutes: minutes(p.reworkMs) })) };
}

export async function teamMetrics(ctx: ServerContext, user: AuthUser, q: z.output<typeof TeamMetricsQuery>): Promise<TeamMetrics> {
  const sinceActive = new Date(ctx.now().getTime() - ACTIVE_NOW_MINUTES * MINUTE).toISOString();
  const l = await loadMetrics(ctx, user, q, 'events-only');
  const filter = { from: l.from, to: l.to, queueIds: l.queues.map((r) => r.id) };
  const outcomes = l.events.filter(isOutcome);
  const perDay = new Map<string, number>();
  for (let d = Date.parse(l.from.slice(0, 10)); d < Date.parse(l.to); d += 86_400_000) perDay.set(new Date(d).toISOString().slice(0, 10), 0);
  for (const e of outcomes) perDay.set(e.at.slice(0, 10), (perDay.get(e.at.slice(0, 10)) ?? 0) + 1);
  const byReviewer = new Map<string, { outcomes: Ev[]; hours: Set<string>; labor: number; rework: number; handle: { itemId: string; minutes: number }[] }>();
  for (const e of l.events) {
    if (!e.actor || !LABOR_TYPES.includes(e.type)) continue;
    const r = byReviewer.get(e.actor) ?? { outcomes: [], hours: new Set<string>(), labor: 0, rework: 0, handle: [] };
    byReviewer.set(e.actor, r);
    r.hours.add(e.at.slice(0, 13));
    const ms = laborMs(e.payload);
    if (isRework(e.payload)) r.rework += ms; else r.labor += ms;
    if (isOutcome(e)) { r.outcomes.push(e); r.handle.push({ itemId: e.itemId, minutes: minutes(ms) }); }
  }
  // Active now: any claim or decision-like event in the last 15 minutes, whatever the asked interval.
  const recent = await ctx.db.selectFrom('item_events').innerJoin('items', 'items.id', 'item_events.item_id').select('item_events.actor_id')
    .where('item_events.at', '>=', sinceActive).where('item_events.type', 'in', ['claimed', 'decided', 'deferred', 'escalated', 'noted'])
    .where('items.queue_id', 'in', l.queues.length > 0 ? l.queues.map((r) => r.id) : ['\u0000']).distinct().execute();
  const active = [...new Set(recent.map((r) => r.actor_id).filter((a): a is string => a !== null))].sort();
  return {
    interval: { from: l.from, to: l.to }, computedAt: l.now.toISOString(),
    throughput: figure('throughput', outcomes.length, outcomes.length, l, outcomes.map((e) => e.itemId), filter),
    perDay: [...perDay].filter(([day]) => day >= l.from.slice(0, 10)).map(([day, n]) => ({ day, outcomes: n })),
    reviewers: [...byReviewer].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reviewerId, r]) => ({
      reviewerId,
      outcomes: figure('throughput', r.outcomes.length, r.outcomes.length, l, r.outcomes.map((e) => e.itemId), { ...filter, reviewerId }),
      staffedHours: r.hours.size,
      outcomesPerStaffedHour: figure('outcomes_per_staffed_hour', ratio(r.outcomes.length, r.hours.size), r.outcomes.length, l, r.outcomes.map((e) => e.itemId), { ...filter, reviewerId }),
      laborMinutes: minutes(r.labor),
      reworkLaborMinutes: minutes(r.rework),
      handleTime: percentiles('handle_time', r.handle, l, { ...filter, reviewerId }),
    })),
    activeNow: { count: active.length, reviewerIds: active, since: sinceActive },
    ...(q.bucket ? { buckets: teamBuckets(l, q.bucket) } : {}),
  };
}

// ---------- control points ----------

const UNRESOLVED = new Set(['open', 'leased', 'escalated']);

export async function controlPointMetrics(ctx: ServerContext, user: AuthUser, q: Query): Promise<ControlPointsResponse> {
  // First outcomes, first touches and escalations may lie before the interval: item_facts has them. Of the
  // interval's events the control points count only owners' outcomes on escalations (approval latency); the items
  // of the others add no figure (each figure keeps to its window, and the SLA reads hold every item it can count).
  return controlPointsOf(await loadMetrics(ctx, user, { ...q, approvalEventsOnly: true }, 'sla'));
}

/** The control points of a loaded interval (loaded with 'sla'; more items loaded change nothing: each figure keeps to its window). */
export function controlPointsOf(l: Loaded): ControlPointsResponse {
  if (!l.needs.includes('sla')) throw new Error('control points need an interval read with its SLA items (loadMetrics … \'sla\')');
  // Each queue's items and events (of its items now), in the read's order, grouped once.
  const itemsOf = new Map<string, ItemFacts[]>(l.queues.map((r) => [r.id, []]));
  for (const i of l.items.values()) itemsOf.get(i.queueId)?.push(i);
  const eventsOf = new Map<string, Ev[]>(l.queues.map((r) => [r.id, []]));
  for (const e of l.events) { const i = l.items.get(e.itemId); if (i) eventsOf.get(i.queueId)?.push(e); }
  return { interval: { from: l.from, to: l.to }, computedAt: l.now.toISOString(),
    controlPoints: l.queues.map((qr) => controlPoint(l, qr, itemsOf.get(qr.id)!, eventsOf.get(qr.id)!)) };
}

function controlPoint(l: Loaded, qr: QueueRow, items: ItemFacts[], events: Ev[]): ControlPointMetrics {
  const filter = { queueId: qr.id, from: l.from, to: l.to };
  const nowIso = l.now.toISOString();
  const open = items.filter((i) => UNRESOLVED.has(i.status));
  const firstTouch = new Map(items.flatMap((i) => (i.firstTouchAt === null ? [] : [[i.id, i.firstTouchAt] as const])));
  const ageValues = open.map((i) => ({ itemId: i.id, minutes: minutes(l.now.getTime() - Date.parse(i.enqueuedAt)) }));
  const touch = items.flatMap((i) => { const t = firstTouch.get(i.id); return t && inWindow(l, t) ? [{ itemId: i.id, minutes: minutes(Date.parse(t) - Date.parse(i.enqueuedAt)) }] : []; });
  // On the SLA clock (paused while the item waits on its owner; shared/metrics-definitions.ts SLA_CLOCK).
  const resolution = items.flatMap((i) => (i.firstOutcomeAt !== null && inWindow(l, i.firstOutcomeAt) ? [{ itemId: i.id, minutes: slaResolutionMinutes(i)! }] : []));
  const { achieved, breached } = slaCycles(l, items);
  const breachedOpen = open.filter((i) => !slaPausedNow(i) && i.dueAt < nowIso);
  const atRisk = open.flatMap((i) => {
    const left = slaMinutesLeft(i, nowIso);
    return left !== null && isAtRisk(left, qr.sla_target_minutes) ? [{ itemId: i.id, slaDueAt: i.dueAt, minutesLeft: left, status: i.status, assigneeId: i.assigneeId }] : [];
  }).sort((a, b) => a.minutesLeft - b.minutesLeft);
  return {
    queueId: qr.id, workflow: qr.workflow, stage: qr.stage, exceptionClass: qr.exception_class, ownerId: qr.owner_id, slaTargetMinutes: qr.sla_target_minutes,
    depth: figure('queue_depth', open.length, open.length, l, open.map((i) => i.id), { queueId: qr.id, status: ['open', 'leased', 'escalated'] }),
    age: percentiles('age', ageValues, l, { queueId: qr.id, status: ['open', 'leased', 'escalated'] }),
    timeToFirstTouch: percentiles('time_to_first_touch', touch, l, filter),
    resolutionTime: percentiles('resolution_time', resolution, l, filter),
    withinSla: { achieved: achieved.length, breached: breached.length,
      percent: figure('within_sla', withinSlaPercent(achieved.length, breached.length), achieved.length + breached.length, l, [...achieved, ...breached], filter) },
    breachedWhileOpen: figure('breached_while_open', breachedOpen.length, breachedOpen.length, l, breachedOpen.map((i) => i.id), { queueId: qr.id, slaDueBefore: nowIso }),
    atRisk: atRisk.slice(0, MAX_EVIDENCE_IDS),
    approvalLatency: approvalLatency(l, qr, events),
  };
}

/**
 * Approval latency of a control point: an escalation to the owner's outcome on it (the roll-up pairs each
 * owner's outcome with its escalation), for owner outcomes in the interval. The control points and signal 2 both use this.
 */
export function approvalLatency(l: Loaded, qr: QueueRow, eventsOfQueue?: Ev[]): PercentileFigure {
  const events = eventsOfQueue ?? l.events.filter((e) => l.items.get(e.itemId)?.queueId === qr.id);
  const latency = events.flatMap((e) => (isOutcome(e) && e.escalatedAt !== null && inWindow(l, e.at)
    ? [{ itemId: e.itemId, minutes: minutes(Date.parse(e.at) - Date.parse(e.escalatedAt)) }] : []));
  return percentiles('approval_latency', latency, l, { queueId: qr.id, from: l.from, to: l.to });
}

/** The SLA cycles of `items` completed in the interval: achieved at a first outcome in it, breached at a due time in it (and past). */
function slaCycles(l: Loaded, items: Iterable<ItemFacts>): { achieved: string[]; breached: string[]; breachedItems: ItemFacts[] } {
  const nowIso = l.now.toISOString();
  const achieved: string[] = [];
  const breachedItems: ItemFacts[] = [];
  for (const i of items) {
    const c = slaCycle(i, nowIso);
    if (c.state === 'achieved' && inWindow(l, c.at)) achieved.push(i.id);
    if (c.state === 'breached' && inWindow(l, c.at)) breachedItems.push(i);
  }
  return { achieved, breached: breachedItems.map((i) => i.id), breachedItems };
}

/** One SLA cycle that ended unachieved in the interval (the weekly pack's breaches). */
export interface SlaBreach { itemId: string; queueId: string; slaDueAt: string; resolvedAt: string | null }

/** Every SLA breach of the loaded interval behind the within-SLA figures (not cut to the evidence limit), by due time then id. */
export function slaBreachesOf(l: Loaded): SlaBreach[] {
  if (!l.needs.includes('sla')) throw new Error('SLA breaches need an interval read with its SLA items (loadMetrics … \'sla\')');
  const queueIds = new Set(l.queues.map((qr) => qr.id));
  return slaCycles(l, l.items.values()).breachedItems.filter((i) => queueIds.has(i.queueId))
    .map((i) => ({ itemId: i.id, queueId: i.queueId, slaDueAt: i.dueAt, resolvedAt: i.firstOutcomeAt }))
    .sort((a, b) => (a.slaDueAt < b.slaDueAt ? -1 : a.slaDueAt > b.slaDueAt ? 1 : a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
}

// ---------- exception tax ----------

interface TaxAcc {
  key: string; queueIds: string[]; currency: string | null; outcomes: string[]; laborMs: number; reworkMs: number; laborCost: number | null;
  corrections: string[]; correctionMinutes: number; correctionAmount: number; reverts: number; overrides: number; rolledBack: number;
  created: string[]; workflows: Set<string>;
}

export async function exceptionTaxMetrics(ctx: ServerContext, user: AuthUser, q: z.output<typeof ExceptionTaxQuery>): Promise<ExceptionTaxResponse> {
  const l = await loadMetrics(ctx, user, q, 'created');
  const groups = await taxGroups(ctx.db, l, q.groupBy);
  return {
    interval: { from: l.from, to: l.to }, computedAt: l.now.toISOString(), groupBy: q.groupBy, groups,
    ...(q.bucket ? { series: await taxSeries(ctx.db, l, q.groupBy, q.bucket) } : {}),
  };
}

/** The same groups computed over each bucket of the interval (the events read once, cut per bucket). */
async function taxSeries(db: Db, l: Loaded, groupBy: 'workflow' | 'class' | 'queue', bucket: MetricsBucket): Promise<NonNullable<ExceptionTaxResponse['series']>> {
  const points: NonNullable<ExceptionTaxResponse['series']>['points'] = [];
  for (const span of bucketSpans(bucket, Date.parse(l.from), Date.parse(l.to))) {
    const from = new Date(span.from).toISOString();
    const to = new Date(span.to).toISOString();
    const groups = await taxGroups(db, { ...l, from, to, events: l.events.filter((e) => e.at >= from && e.at < to) }, groupBy);
    points.push({
      start: from,
      groups: groups.map((g) => ({
        key: g.key, currency: g.currency, outcomes: g.outcomes, laborMinutesPerOutcome: g.laborMinutesPerOutcome.value, reworkRate: g.reworkRate.value,
        taxPerOutcome: g.taxPerOutcome.value, costToCompletion: g.costToCompletion.value, costToCompletionWithoutExceptions: g.costToCompletionWithoutExceptions.value,
      })),
    });
  }
  return { bucket, points };
}

export async function taxGroups(db: Db, l: Loaded, groupBy: 'workflow' | 'class' | 'queue'): Promise<ExceptionTaxGroup[]> {
  const accs = new Map<string, TaxAcc>();
  const queueOf = new Map(l.queues.map((r) => [r.id, r]));
  const accFor = (qr: QueueRow): TaxAcc => {
    const k = groupBy === 'workflow' ? qr.workflow : groupBy === 'class' ? qr.exception_class : qr.id;
    const key = `${k}\u0000${qr.labor_currency ?? ''}`;
    let a = accs.get(key);
    if (!a) {
      a = { key: k, queueIds: [], currency: qr.labor_currency, outcomes: [], laborMs: 0, reworkMs: 0, laborCost: 0, corrections: [], correctionMinutes: 0,
        correctionAmount: 0, reverts: 0, overrides: 0, rolledBack: 0, created: [], workflows: new Set() };
      accs.set(key, a);
    }
    if (!a.queueIds.includes(qr.id)) a.queueIds.push(qr.id);
    a.workflows.add(qr.workflow);
    return a;
  };
  for (const qr of l.queues) accFor(qr);
  for (const i of l.items.values()) if (inWindow(l, i.createdAt)) accFor(queueOf.get(i.queueId)!).created.push(i.id);
  for (const e of l.events) {
    const item = l.items.get(e.itemId);
    if (!item) continue;
    const qr = queueOf.get(item.queueId)!;
    const a = accFor(qr);
    const rate = qr.labor_cost_per_hour;
    if (LABOR_TYPES.includes(e.type)) {
      const ms = laborMs(e.payload);
      if (isRework(e.payload)) a.reworkMs += ms; else a.laborMs += ms;
      a.laborCost = a.laborCost === null || rate === null ? null : a.laborCost + (minutes(ms) / 60) * rate;
    }
    if (isOutcome(e)) a.outcomes.push(e.itemId);
    if (e.type === 'reverted' && e.payload.rework === true) {
      if (e.payload.override === true) a.overrides += 1; else if (typeof e.payload.rollbackId === 'string') a.rolledBack += 1; else a.reverts += 1;
    }
    if (e.type === 'corrected') {
      a.corrections.push(e.itemId);
      const m = typeof e.payload.minutes === 'number' ? e.payload.minutes : 0;
      a.correctionMinutes += m;
      a.correctionAmount += typeof e.payload.amount === 'number' ? e.payload.amount : 0;
      a.laborCost = a.laborCost === null || rate === null ? null : a.laborCost + (m / 60) * rate;
    }
  }
  const out: ExceptionTaxGroup[] = [];
  for (const a of accs.values()) {
    const runs = await db.selectFrom('runs').select(['runs', 'straight_through_amount', 'currency']).where('workflow', 'in', [...a.workflows]).where('stage', '=', '')
      .where('period_start', '>=', l.from).where('period_start', '<', l.to).execute();
    const runCount = runs.reduce((n, r) => n + r.runs, 0);
    const stc = runs.reduce((n, r) => n + (r.straight_through_amount !== null && (a.currency === null || r.currency === a.currency) ? r.straight_through_amount : 0), 0);
    const filter = { groupBy, key: a.key, queueIds: a.queueIds, from: l.from, to: l.to };
    const n = a.outcomes.length;
    const tax = a.currency === null || a.laborCost === null ? null : a.laborCost + a.correctionAmount;
    const noCost = 'no labor cost per hour set for these queues';
    const ctc = tax === null ? { withExceptions: null, withoutExceptions: ratio(stc, runCount) } : costToCompletion(stc, tax, runCount);
    const reworkIds = [...a.outcomes, ...a.corrections];
    out.push({
      key: a.key, queueIds: a.queueIds, currency: a.currency, outcomes: n, laborMinutes: minutes(a.laborMs), reworkLaborMinutes: minutes(a.reworkMs),
      corrections: a.corrections.length, correctionMinutes: a.correctionMinutes, correctionAmount: a.correctionAmount,
      rework: { reverts: a.reverts, overrides: a.overrides, rolledBack: a.rolledBack, corrections: a.corrections.length },
      laborMinutesPerOutcome: figure('labor_minutes_per_outcome', ratio(minutes(a.laborMs + a.reworkMs), n), n, l, a.outcomes, filter),
      reworkRate: figure('rework_rate', reworkRatePercent({ reverts: a.reverts, overrides: a.overrides, rolledBack: a.rolledBack, corrections: a.corrections.length, outcomes: n }), n, l, reworkIds, filter),
      taxTotal: figure('exception_tax_per_outcome', tax, n, l, a.outcomes, filter, tax === null ? noCost : undefined),
      taxPerOutcome: figure('exception_tax_per_outcome', tax === null ? null : ratio(tax, n), n, l, a.outcomes, filter, tax === null ? noCost : undefined),
      runs: runCount, straightThroughCost: stc,
      exceptionRate: figure('exception_rate', runCount === 0 ? null : (a.created.length / runCount) * 100, runCount, l, a.created, filter, runCount === 0 ? 'no runs reported for the interval' : undefined),
      costToCompletion: figure('cost_to_completion', ctc.withExceptions, runCount, l, a.outcomes, filter, runCount === 0 ? 'no runs reported for the interval' : tax === null ? noCost : undefined),
      costToCompletionWithoutExceptions: figure('cost_to_completion_without_exceptions', ctc.withoutExceptions, runCount, l, [], filter, runCount === 0 ? 'no runs reported for the interval' : undefined),
    });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : (a.currency ?? '') < (b.currency ?? '') ? -1 : 1));
}

