// Schema migrations, applied in order by Kysely's Migrator, the same steps on SQLite and PostgreSQL. Written
// with Kysely's schema builder; where the two differ (identity columns, floats, triggers) a helper of
// db/dialect.ts picks the statement. Times and JSON stay text on both (ISO-8601 UTC sorts as text under the
// C collation), so a row reads back identically from either and a SQLite database copies over as it is.
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { m090_bundle_devices } from './migrations-bundles';
import { m095_metric_rollups, m097_sla_pause, m098_metric_event_queue, m099_metric_events_by_time } from './migrations-rollups';
import { appendOnlyTriggers, dialectOf, floatType, identityColumn } from './dialect';

const m001_initial: Migration = {
  async up(db: Kysely<unknown>) {
    const kind = dialectOf(db);
    await db.schema.createTable('meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();

    await db.schema.createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema.createTable('tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('demo', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema.createTable('queues')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('workflow', 'text', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('exception_class', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('sla_target_minutes', 'integer', (c) => c.notNull())
      .addColumn('idle_threshold_sec', 'integer', (c) => c.notNull())
      .addColumn('reason_codes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema.createTable('items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('queue_id', 'text', (c) => c.notNull().references('queues.id'))
      .addColumn('workflow', 'text', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('exception_class', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('summary', 'text')
      .addColumn('confidence', floatType(kind))
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      .addColumn('output', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('assignee_id', 'text')
      .addColumn('assignment_epoch', 'integer', (c) => c.notNull())
      .addColumn('lease_expires_at', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('enqueued_at', 'text', (c) => c.notNull())
      .addColumn('sla_due_at', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('notes', 'text', (c) => c.notNull())
      .addColumn('escalation', 'text')
      .addColumn('revert_count', 'integer', (c) => c.notNull().defaultTo(0))
      // external_id first: ingest looks existing items up by external_id.
      .addUniqueConstraint('items_external_id_source', ['external_id', 'source'])
      .execute();
    await db.schema.createIndex('items_claimable').on('items').columns(['status', 'sla_due_at', 'id']).execute();
    await db.schema.createIndex('items_assignee').on('items').columns(['assignee_id', 'status', 'id']).execute();
    await db.schema.createIndex('items_lease_expiry').on('items').columns(['status', 'lease_expires_at']).execute();

    await db.schema.createTable('item_epochs')
      .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
      .addColumn('epoch', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('ended_at', 'text')
      .addColumn('ended_reason', 'text')
      .addPrimaryKeyConstraint('item_epochs_pk', ['item_id', 'epoch'])
      .execute();

    await db.schema.createTable('item_events')
      .$call(identityColumn(kind, 'seq'))
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('assignment_epoch', 'integer', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('item_events_item').on('item_events').columns(['item_id', 'seq']).execute();
    await db.schema.createIndex('item_events_type_at').on('item_events').columns(['type', 'at']).execute();
    // The event log is append-only, enforced by the database.
    await appendOnlyTriggers(db, 'item_events');

    await db.schema.createTable('change_log')
      .$call(identityColumn(kind, 'pos'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('item_id', 'text')
      .addColumn('reason', 'text')
      .addColumn('client_id', 'text')
      .addColumn('mutation_id', 'integer')
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('change_log_user').on('change_log').columns(['user_id', 'pos']).execute();

    await db.schema.createTable('clients')
      .addColumn('client_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('last_mutation_id', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema.createTable('client_mutations')
      .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id'))
      .addColumn('mutation_id', 'integer', (c) => c.notNull())
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload_hash', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('client_mutations_pk', ['client_id', 'mutation_id'])
      .execute();

    await db.schema.createTable('decisions')
      .$call(identityColumn(kind, 'seq'))
      .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
      .addColumn('assignment_epoch', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('by', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('reason_code', 'text')
      .addColumn('corrected_output', 'text')
      .addColumn('comment', 'text')
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .execute();
    // "No double decision, from any client": one outcome per lease, held by the database itself.
    await db.schema.createIndex('decisions_one_outcome_per_epoch').on('decisions')
      .columns(['item_id', 'assignment_epoch']).unique()
      .where(sql<boolean>`kind in ('approve', 'reject', 'correct', 'override')`)
      .execute();
  },
};

/**
 * Exception operations (DESIGN §8): queue policy columns, producers' runs and corrections, rollbacks, trigger
 * alerts, and ops_events (append-only: signal decisions, alert acknowledgements, weekly reviews). Portable:
 * schema builder only.
 */
const m002_operations: Migration = {
  async up(db: Kysely<unknown>) {
    const kind = dialectOf(db);
    await db.schema.alterTable('queues').addColumn('labor_cost_per_hour', floatType(kind)).execute();
    await db.schema.alterTable('queues').addColumn('labor_currency', 'text').execute();
    await db.schema.alterTable('queues').addColumn('rollback_trigger', 'text').execute();
    await db.schema.alterTable('queues').addColumn('policy_updated_at', 'text').execute();
    await db.schema.alterTable('queues').addColumn('policy_updated_by', 'text').execute();

    // The owner's outcome on an `override` row, and the rollback a `revert` row belongs to.
    await db.schema.alterTable('decisions').addColumn('outcome', 'text').execute();
    await db.schema.alterTable('decisions').addColumn('rollback_id', 'text').execute();
    await db.schema.createIndex('decisions_by_at').on('decisions').columns(['by', 'at']).execute();

    await db.schema.createTable('runs')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('workflow', 'text', (c) => c.notNull())
      /** '' when the report is for the whole workflow. */
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('period_start', 'text', (c) => c.notNull())
      .addColumn('period_end', 'text', (c) => c.notNull())
      .addColumn('runs', 'integer', (c) => c.notNull())
      .addColumn('straight_through_amount', floatType(kind))
      .addColumn('currency', 'text')
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('runs_pk', ['source', 'workflow', 'stage', 'period_start'])
      .execute();
    await db.schema.createIndex('runs_workflow_period').on('runs').columns(['workflow', 'period_start']).execute();

    await db.schema.createTable('corrections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('item_id', 'text', (c) => c.notNull().references('items.id'))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('detected_at', 'text', (c) => c.notNull())
      .addColumn('minutes', floatType(kind))
      .addColumn('amount', floatType(kind))
      .addColumn('currency', 'text')
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('corrections_idempotency', ['item_id', 'source', 'detected_at'])
      .execute();
    await db.schema.createIndex('corrections_detected').on('corrections').columns(['detected_at']).execute();

    await db.schema.createTable('rollbacks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('by', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('filter', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('reverted', 'integer', (c) => c.notNull())
      .addColumn('skipped', 'integer', (c) => c.notNull())
      .addColumn('batch_size', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .execute();
    // The outcomes a rollback matched when it started (item + the epoch of that outcome), worked off in batches.
    await db.schema.createTable('rollback_items')
      .addColumn('rollback_id', 'text', (c) => c.notNull().references('rollbacks.id'))
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('epoch', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('rollback_items_pk', ['rollback_id', 'item_id'])
      .execute();
    await db.schema.createIndex('rollback_items_pending').on('rollback_items').columns(['rollback_id', 'state', 'item_id']).execute();

    await db.schema.createTable('alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('queue_id', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('rule', 'text', (c) => c.notNull())
      .addColumn('tripped_at', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('proposed_filter', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('alerts_queue').on('alerts').columns(['queue_id', 'tripped_at']).execute();

    await db.schema.createTable('ops_events')
      .$call(identityColumn(kind, 'seq'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .execute();
    await appendOnlyTriggers(db, 'ops_events');
    await db.schema.createIndex('ops_events_subject').on('ops_events').columns(['type', 'subject', 'seq']).execute();
  },
};

// Tokens expire and can be revoked (issue 8): both columns null means "valid until revoked", as before.
const m091_token_expiry: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tokens').addColumn('expires_at', 'text').execute();
    await db.schema.alterTable('tokens').addColumn('revoked_at', 'text').execute();
  },
};

// A queue's own defer cooldown (issue 14 item 3); null (every existing row) means the default.
const m096_defer_cooldown: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('queues').addColumn('defer_cooldown_minutes', 'integer').execute();
  },
};

export const migrations: Record<string, Migration> = {
  '001_initial': m001_initial,
  '002_operations': m002_operations,
  '090_bundle_devices': m090_bundle_devices,
  // Named after 090 so a database that already ran 090 applies it in order.
  '091_token_expiry': m091_token_expiry,
  '095_metric_rollups': m095_metric_rollups,
  '096_queue_defer_cooldown': m096_defer_cooldown,
  '097_sla_pause': m097_sla_pause,
  '098_metric_event_queue': m098_metric_event_queue,
  '099_metric_events_by_time': m099_metric_events_by_time,
};
