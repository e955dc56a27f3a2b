// Kysely table types. Times are ISO-8601 UTC strings (Date#toISOString: fixed width, so they sort as text);
// JSON columns hold JSON text. On PostgreSQL these become timestamptz and jsonb (see server/README.md).
import type { Generated, Insertable, Selectable } from 'kysely';

export interface MetaTable { key: string; value: string }

export interface UsersTable { id: string; name: string; roles: string; created_at: string }

export interface TokensTable {
  token_hash: string;
  user_id: string;
  /** 1 for the well-known demo tokens, which only a demo-seeded database holds. */
  demo: number;
  created_at: string;
  /** After this instant the token is refused; null: it never expires. */
  expires_at: string | null;
  /** Set by `users revoke`; a revoked token is refused. */
  revoked_at: string | null;
}

export interface QueuesTable {
  id: string;
  name: string;
  workflow: string;
  stage: string;
  exception_class: string;
  owner_id: string;
  sla_target_minutes: number;
  idle_threshold_sec: number;
  /** Queue policy: minutes a deferred item stays away from whoever deferred it; null: the default. */
  defer_cooldown_minutes: number | null;
  reason_codes: string;
  created_at: string;
  labor_cost_per_hour: number | null;
  labor_currency: string | null;
  /** JSON of a RollbackTriggerRule (shared/ops-api.ts), or null. */
  rollback_trigger: string | null;
  policy_updated_at: string | null;
  policy_updated_by: string | null;
}

export interface ItemsTable {
  id: string;
  source: string;
  external_id: string;
  queue_id: string;
  workflow: string;
  stage: string;
  exception_class: string;
  title: string;
  summary: string | null;
  confidence: number | null;
  reasons: string;
  input: string;
  output: string;
  status: string;
  assignee_id: string | null;
  assignment_epoch: number;
  lease_expires_at: string | null;
  version: number;
  created_at: string;
  enqueued_at: string;
  sla_due_at: string;
  outcome: string | null;
  notes: string;
  escalation: string | null;
  revert_count: number;
}

/** Who held each lease of an item and how it ended; classifies conflicts on old epochs. */
export interface ItemEpochsTable {
  item_id: string;
  epoch: number;
  user_id: string;
  kind: string;
  started_at: string;
  ended_at: string | null;
  ended_reason: string | null;
}

/** Append-only: every state change of an item. Metrics are computed from this table. */
export interface ItemEventsTable {
  seq: Generated<number>;
  item_id: string;
  type: string;
  actor_id: string | null;
  at: string;
  assignment_epoch: number;
  payload: string;
}

/** Per-user change feed for pull; `pos` is assigned inside the writing transaction, so it follows commit order. */
export interface ChangeLogTable {
  pos: Generated<number>;
  user_id: string;
  kind: 'upsert' | 'remove' | 'result';
  item_id: string | null;
  reason: string | null;
  client_id: string | null;
  mutation_id: number | null;
  at: string;
}

export interface ClientsTable { client_id: string; user_id: string; last_mutation_id: number; created_at: string; updated_at: string }

export interface ClientMutationsTable {
  client_id: string;
  mutation_id: number;
  item_id: string;
  kind: string;
  payload_hash: string;
  status: string;
  code: string;
  result: string;
  at: string;
}

/** The producers' decisions feed; unique (item_id, assignment_epoch) for outcomes. */
export interface DecisionsTable {
  seq: Generated<number>;
  item_id: string;
  assignment_epoch: number;
  kind: string;
  by: string;
  at: string;
  reason_code: string | null;
  corrected_output: string | null;
  comment: string | null;
  recorded_at: string;
  /** For `override` rows: the owner's outcome kind. */
  outcome: string | null;
  /** For `revert` rows written by a rollback. */
  rollback_id: string | null;
}

/** Restricted-site bundles: the Ed25519 key (SPKI DER hex) that signs each desk's decisions bundles. */
export interface BundleDevicesTable { client_id: string; user_id: string; public_key: string; key_id: string; created_at: string }

export interface RunsTable {
  source: string; workflow: string; stage: string; period_start: string; period_end: string; runs: number;
  straight_through_amount: number | null; currency: string | null; recorded_by: string; recorded_at: string;
}

export interface CorrectionsTable {
  id: string; item_id: string; source: string; detected_at: string; minutes: number | null; amount: number | null;
  currency: string | null; note: string; recorded_by: string; recorded_at: string;
}

export interface RollbacksTable {
  id: string; by: string; reason: string; filter: string; status: string; total: number; reverted: number; skipped: number;
  batch_size: number; started_at: string; finished_at: string | null;
}

export interface RollbackItemsTable { rollback_id: string; item_id: string; epoch: number; state: 'pending' | 'reverted' | 'skipped' }

export interface AlertsTable {
  id: string; queue_id: string; owner_id: string; rule: string; tripped_at: string; evidence: string; proposed_filter: string;
}

/** Append-only decisions of people about the operations data: signal accept/dismiss, alert acks, weekly reviews. */
export interface OpsEventsTable { seq: Generated<number>; type: string; actor_id: string; at: string; subject: string; payload: string }

/** Roll-up of item_events for the metrics (services/metric-rollups.ts): one typed row per event they read. */
export interface MetricEventsTable {
  seq: number; item_id: string; type: string; actor_id: string | null; at: string; kind: string | null; reason_code: string | null;
  labor_ms: number; opened_at: string | null; rework: number; after_escalation: number; override: number; rollback_id: string | null;
  escalated_at: string | null; correction_minutes: number | null; correction_amount: number | null;
  /** The queue the event names as where it happened (a reclassification's fromQueueId, else the payload's queueId); null when it names none. */
  queue_id: string | null;
}

/** Roll-up of item_events: per item, facts that otherwise need its whole history. */
export interface ItemFactsTable {
  item_id: string; first_outcome_at: string | null; first_touch_at: string | null; last_escalated_at: string | null;
  /** The SLA clock's pause (shared/metrics-definitions.ts SLA_CLOCK): due time moved by ended pauses (null: never paused, items.sla_due_at holds), a pause running since, paused ms before the first outcome. */
  sla_due_at: string | null; sla_paused_since: string | null; sla_paused_ms: number;
}

export interface Database {
  meta: MetaTable;
  users: UsersTable;
  tokens: TokensTable;
  queues: QueuesTable;
  items: ItemsTable;
  item_epochs: ItemEpochsTable;
  item_events: ItemEventsTable;
  change_log: ChangeLogTable;
  clients: ClientsTable;
  client_mutations: ClientMutationsTable;
  decisions: DecisionsTable;
  bundle_devices: BundleDevicesTable;
  runs: RunsTable;
  corrections: CorrectionsTable;
  rollbacks: RollbacksTable;
  rollback_items: RollbackItemsTable;
  alerts: AlertsTable;
  ops_events: OpsEventsTable;
  metric_events: MetricEventsTable;
  item_facts: ItemFactsTable;
}

export type ItemRow = Selectable<ItemsTable>;
export type NewItemRow = Insertable<ItemsTable>;
export type QueueRow = Selectable<QueuesTable>;
export type UserRow = Selectable<UsersTable>;
