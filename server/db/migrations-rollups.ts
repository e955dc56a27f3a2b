// Metric roll-ups (server/services/metric-rollups.ts): derived from item_events, kept in the same transaction
// as each event, rebuilt here from the log for a database that already has events.
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { rebuildRollups } from '../services/metric-rollups';
import type { Db } from './connection';
import { dialectOf, floatType } from './dialect';

export const m095_metric_rollups: Migration = {
  async up(db: Kysely<unknown>) {
    const kind = dialectOf(db);
    await db.schema.createTable('metric_events')
      .addColumn('seq', kind === 'postgres' ? 'bigint' : 'integer', (c) => c.primaryKey())
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('kind', 'text')
      .addColumn('reason_code', 'text')
      .addColumn('labor_ms', 'integer', (c) => c.notNull())
      .addColumn('opened_at', 'text')
      .addColumn('rework', 'integer', (c) => c.notNull())
      .addColumn('after_escalation', 'integer', (c) => c.notNull())
      .addColumn('override', 'integer', (c) => c.notNull())
      .addColumn('rollback_id', 'text')
      .addColumn('escalated_at', 'text')
      .addColumn('correction_minutes', floatType(kind))
      .addColumn('correction_amount', floatType(kind))
      .execute();
    await db.schema.createIndex('metric_events_at').on('metric_events').columns(['at', 'item_id']).execute();
    await db.schema.createTable('item_facts')
      .addColumn('item_id', 'text', (c) => c.primaryKey())
      .addColumn('first_outcome_at', 'text')
      .addColumn('first_touch_at', 'text')
      .addColumn('last_escalated_at', 'text')
      .execute();
    await db.schema.createIndex('item_facts_first_outcome').on('item_facts').columns(['first_outcome_at']).execute();
    await db.schema.createIndex('item_facts_first_touch').on('item_facts').columns(['first_touch_at']).execute();
    // The control points' and exception tax's item reads by time (SLA due and created in an interval).
    await db.schema.createIndex('items_sla_due').on('items').columns(['sla_due_at']).execute();
    await db.schema.createIndex('items_created').on('items').columns(['created_at']).execute();
    // The roll-ups are derived from the log by the last roll-up migration (below), once their shape is whole.
  },
};

/** The SLA clock's pause in item_facts (shared/metrics-definitions.ts SLA_CLOCK). */
export const m097_sla_pause: Migration = {
  async up(db: Kysely<unknown>) {
    const kind = dialectOf(db);
    await db.schema.alterTable('item_facts').addColumn('sla_due_at', 'text').execute();
    await db.schema.alterTable('item_facts').addColumn('sla_paused_since', 'text').execute();
    await db.schema.alterTable('item_facts').addColumn('sla_paused_ms', kind === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull().defaultTo(0)).execute();
    // The control points' SLA cycles whose paused-adjusted due time falls in an interval.
    await db.schema.createIndex('item_facts_sla_due').on('item_facts').columns(['sla_due_at']).execute();
  },
};

/**
 * The queue each metric event names (signals and the weekly pack read metric_events, not the log's JSON), then
 * every roll-up rebuilt from the log. Only the last roll-up migration rebuilds: the rebuild writes the roll-ups'
 * current shape, which earlier migrations have not finished making.
 */
export const m098_metric_event_queue: Migration = {
  async up(db: Kysely<unknown>) {
    const kind = dialectOf(db);
    await db.schema.alterTable('metric_events').addColumn('queue_id', 'text').execute();
    await rebuildRollups(db as unknown as Db);
    if (kind === 'sqlite') await sql`ANALYZE`.execute(db);
  },
};

/** Every column of metric_events, the time first: the index the metric reads of an interval are answered from alone. */
const METRIC_EVENT_COLUMNS_BY_TIME = ['at', 'item_id', 'seq', 'type', 'actor_id', 'kind', 'reason_code', 'labor_ms', 'opened_at', 'rework', 'after_escalation',
  'override', 'rollback_id', 'escalated_at', 'correction_minutes', 'correction_amount', 'queue_id'];

/**
 * The metric views read an interval of metric_events by time, every column: through the (at, item_id) index each row
 * then cost a second lookup in the table (by seq), most of a week's or a quarter's read. An index holding every
 * column answers the range alone (SQLite: a covering index; PostgreSQL: an index-only scan once vacuumed); it
 * replaces the (at, item_id) one, its prefix, so each event still writes one index.
 */
export const m099_metric_events_by_time: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('metric_events_by_time').on('metric_events').columns(METRIC_EVENT_COLUMNS_BY_TIME).execute();
    await db.schema.dropIndex('metric_events_at').execute();
    if (dialectOf(db) === 'sqlite') await sql`ANALYZE metric_events`.execute(db);
  },
};
