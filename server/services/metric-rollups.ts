// Roll-ups of the item event log for the metrics of DESIGN §8, kept in the same transaction as the events
// (journal.ts appendEvents calls applyRollups) and never a second source of truth: rebuildRollups() derives
// them again from item_events alone, with the same pure projection, and a test holds rebuild == incremental.
//
// - metric_events: one narrow, typed row per event the metrics read (outcomes, labor, escalations, reverts,
//   corrections), keyed by the event's seq and indexed by time, so a week of metrics reads a week of small
//   rows instead of parsing JSON payloads (with the queue the event says it happened in: a decision's
//   queueId, a reclassification's fromQueueId);
// - item_facts: per item, facts that otherwise need the item's whole history: the first outcome, the first
//   touch (earliest labor.openedAt), the escalation an owner's outcome answers (approval latency), and the
//   item's SLA clock pause (shared/metrics-definitions.ts SLA_CLOCK): the paused-adjusted due time, a pause
//   running now, and the paused milliseconds before the first outcome.
import type { Db } from '../db/connection';
import { dueAfterPause } from '../../shared/metrics-definitions';
import type { ItemFactsTable, MetricEventsTable } from '../db/schema';
import { insertRows, selectRowsIn, upsertRows } from '../db/prepared';

/** Event types that carry labor (DESIGN §6); the metrics attribute labor and first touches to these. */
export const LABOR_EVENT_TYPES = ['decided', 'escalated', 'deferred', 'noted', 'reclassified', 'labor'] as const;
/** Event types projected into metric_events. */
export const ROLLUP_EVENT_TYPES: readonly string[] = [...LABOR_EVENT_TYPES, 'reverted', 'corrected'];
/**
 * Events that end a wait on the owner (the SLA clock's pause, begun by `escalated`): the owner's outcome, the
 * escalation deferred back to the queue, taken back by its reviewer, or the item reassigned by a supervisor.
 */
export const SLA_PAUSE_END_TYPES: readonly string[] = ['decided', 'deferred', 'reverted', 'assigned'];
/** Event types the roll-ups read: those projected, and those that only end a pause (item_facts alone). */
export const FACT_EVENT_TYPES: readonly string[] = [...ROLLUP_EVENT_TYPES, 'assigned'];

export interface LoggedEvent { seq: number; item_id: string; type: string; actor_id: string | null; at: string; payload: Record<string, unknown> }

const laborOf = (p: Record<string, unknown>) => (p.labor ?? null) as { activeMs?: unknown; openedAt?: unknown; rework?: unknown } | null;

/**
 * The pure projection, shared by the incremental path and the rebuild: events in seq order, the facts of
 * their items as they stood before (updated in place), and the SLA due time fixed at ingest of every item
 * escalated among the events whose facts have no due time yet (dueAtIngestNeeded names them). Returns the
 * metric_events rows.
 */
export function projectEvents(events: readonly LoggedEvent[], facts: Map<string, ItemFactsTable>, dueAtIngest: ReadonlyMap<string, string>): MetricEventsTable[] {
  const rows: MetricEventsTable[] = [];
  for (const e of events) {
    if (!FACT_EVENT_TYPES.includes(e.type)) continue;
    let f = facts.get(e.item_id);
    // A pause ends (before the outcome that may end it is recorded as the first one).
    if (f?.sla_paused_since != null && SLA_PAUSE_END_TYPES.includes(e.type)) {
      const since = f.sla_paused_since;
      f.sla_due_at = dueAfterPause(f.sla_due_at!, since, e.at);
      if (f.first_outcome_at === null) f.sla_paused_ms = Number(f.sla_paused_ms) + Math.max(0, Date.parse(e.at) - Date.parse(since));
      f.sla_paused_since = null;
    }
    if (!ROLLUP_EVENT_TYPES.includes(e.type)) continue;
    const p = e.payload;
    const labor = laborOf(p);
    const openedAt = typeof labor?.openedAt === 'string' ? labor.openedAt : null;
    if (!f) { f = { ...NO_FACTS, item_id: e.item_id }; facts.set(e.item_id, f); }
    let escalatedAt: string | null = null;
    if (e.type === 'escalated') {
      f.last_escalated_at = e.at;
      if (f.sla_paused_since === null) {
        const due = f.sla_due_at ?? dueAtIngest.get(e.item_id);
        if (due === undefined) throw new Error(`metric roll-ups: no SLA due time for escalated item ${e.item_id}`);
        f.sla_due_at = due;
        f.sla_paused_since = e.at;
      }
    }
    if (e.type === 'decided') {
      f.first_outcome_at ??= e.at;
      if (p.afterEscalation === true && f.last_escalated_at !== null) { escalatedAt = f.last_escalated_at; f.last_escalated_at = null; }
    }
    if (openedAt !== null && (LABOR_EVENT_TYPES as readonly string[]).includes(e.type) && (f.first_touch_at === null || openedAt < f.first_touch_at)) {
      f.first_touch_at = openedAt;
    }
    rows.push({
      seq: e.seq, item_id: e.item_id, type: e.type, actor_id: e.actor_id, at: e.at,
      kind: typeof p.kind === 'string' ? p.kind : null,
      reason_code: typeof p.reasonCode === 'string' ? p.reasonCode : null,
      labor_ms: typeof labor?.activeMs === 'number' ? labor.activeMs : 0,
      opened_at: openedAt,
      rework: p.rework === true || labor?.rework === true ? 1 : 0,
      after_escalation: p.afterEscalation === true ? 1 : 0,
      override: p.override === true ? 1 : 0,
      rollback_id: typeof p.rollbackId === 'string' ? p.rollbackId : null,
      escalated_at: escalatedAt,
      correction_minutes: e.type === 'corrected' && typeof p.minutes === 'number' ? p.minutes : null,
      correction_amount: e.type === 'corrected' && typeof p.amount === 'number' ? p.amount : null,
      queue_id: typeof p.fromQueueId === 'string' ? p.fromQueueId : typeof p.queueId === 'string' ? p.queueId : null,
    });
  }
  return rows;
}

const NO_FACTS: Omit<ItemFactsTable, 'item_id'> = {
  first_outcome_at: null, first_touch_at: null, last_escalated_at: null, sla_due_at: null, sla_paused_since: null, sla_paused_ms: 0,
};

/** Items escalated among `events` whose facts hold no due time yet: the projection needs their due time at ingest. */
export function dueAtIngestNeeded(events: readonly LoggedEvent[], facts: ReadonlyMap<string, ItemFactsTable>): string[] {
  return [...new Set(events.filter((e) => e.type === 'escalated' && (facts.get(e.item_id)?.sla_due_at ?? null) === null).map((e) => e.item_id))];
}

/** The SLA due time each item got at ingest (items.sla_due_at, written once with its `enqueued` event, never changed). */
async function readDueAtIngest(tx: Db, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await tx.selectFrom('items').select(['id', 'sla_due_at']).where('id', 'in', ids.slice(i, i + 500)).execute()) out.set(r.id, r.sla_due_at);
  }
  return out;
}

// Through the hot paths' statement helpers (db/prepared.ts): prepared statements inside a SQLite write
// transaction (every push writes both tables), Kysely elsewhere.
async function writeRows(tx: Db, rows: MetricEventsTable[]): Promise<void> {
  await insertRows(tx, 'metric_events', rows);
}

const FACT_COLUMNS = ['first_outcome_at', 'first_touch_at', 'last_escalated_at', 'sla_due_at', 'sla_paused_since', 'sla_paused_ms'] as const;

async function upsertFacts(tx: Db, facts: ItemFactsTable[]): Promise<void> {
  await upsertRows(tx, 'item_facts', facts, 'item_id', FACT_COLUMNS);
}

/**
 * The incremental path: called by appendEvents with the events it just inserted (and their seqs), in the
 * same transaction. The facts rows of an item change only under pushes, which hold the item's row lock
 * (PostgreSQL) or the write lock (SQLite) to commit, so read-then-write here never loses an update.
 */
export async function applyRollups(tx: Db, events: readonly LoggedEvent[]): Promise<void> {
  const relevant = events.filter((e) => FACT_EVENT_TYPES.includes(e.type));
  if (relevant.length === 0) return;
  const ids = [...new Set(relevant.map((e) => e.item_id))];
  const facts = new Map<string, ItemFactsTable>();
  for (const f of await selectRowsIn(tx, 'item_facts', 'item_id', ids)) facts.set(f.item_id, { ...f, sla_paused_ms: Number(f.sla_paused_ms) });
  const before = new Map([...facts].map(([k, v]) => [k, JSON.stringify(v)]));
  const rows = projectEvents(relevant, facts, await readDueAtIngest(tx, dueAtIngestNeeded(relevant, facts)));
  await writeRows(tx, rows);
  await upsertFacts(tx, [...facts.values()].filter((f) => before.get(f.item_id) !== JSON.stringify(f)));
}

/** Reads the log in seq order, a page at a time. */
export async function* readLog(db: Db, pageSize = 5000): AsyncGenerator<LoggedEvent[]> {
  let after = 0;
  for (;;) {
    const page = await db.selectFrom('item_events').select(['seq', 'item_id', 'type', 'actor_id', 'at', 'payload'])
      .where('seq', '>', after).where('type', 'in', [...FACT_EVENT_TYPES]).orderBy('seq').limit(pageSize).execute();
    if (page.length === 0) return;
    yield page.map((r) => ({ seq: Number(r.seq), item_id: r.item_id, type: r.type, actor_id: r.actor_id, at: r.at, payload: JSON.parse(r.payload) as Record<string, unknown> }));
    after = Number(page[page.length - 1].seq);
  }
}

/** Derives both roll-ups from the log alone, replacing what is there (in the caller's transaction). */
export async function rebuildRollups(tx: Db): Promise<{ events: number; items: number }> {
  await tx.deleteFrom('metric_events').execute();
  await tx.deleteFrom('item_facts').execute();
  const facts = new Map<string, ItemFactsTable>();
  let events = 0;
  for await (const page of readLog(tx)) {
    const rows = projectEvents(page, facts, await readDueAtIngest(tx, dueAtIngestNeeded(page, facts)));
    await writeRows(tx, rows);
    events += rows.length;
  }
  await upsertFacts(tx, [...facts.values()]);
  return { events, items: facts.size };
}
