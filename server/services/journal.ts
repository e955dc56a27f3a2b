// The two append-only records every change writes in its own transaction: the item event log (source of
// truth for metrics) and the per-user change log (what pull replays, in commit order).
import type { Insertable } from 'kysely';
import type { Db } from '../db/connection';
import type { DecisionsTable } from '../db/schema';
import { takeCommitOrderLock } from '../db/dialect';
import { insertRows, insertRowsReturningKeys } from '../db/prepared';
import { applyRollups } from './metric-rollups';

export const EVENT_TYPES = [
  'created', 'enqueued', 'claimed', 'lease_expired', 'released', 'decided', 'escalated', 'deferred',
  'reclassified', 'reverted', 'noted', 'assigned',
  // Labor behind a mutation that was not applied (a conflict or a rejection); payload: shared/labor-event.ts.
  'labor',
  // A producer reported the item's outcome wrong downstream (POST /v1/corrections): rework, exception tax.
  'corrected',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface ItemEvent {
  itemId: string;
  type: EventType;
  actorId: string | null;
  at: string;
  epoch: number;
  payload: Record<string, unknown>;
}

export interface Change {
  userId: string;
  kind: 'upsert' | 'remove' | 'result';
  itemId: string | null;
  reason?: string | null;
  clientId?: string | null;
  mutationId?: number | null;
  at: string;
}

/** Appends item events and, in the same transaction, their metric roll-ups (metric-rollups.ts). */
export async function appendEvents(tx: Db, events: ItemEvent[]): Promise<void> {
  const seqs = await insertRowsReturningKeys(tx, 'item_events', events.map((e) => ({
    item_id: e.itemId, type: e.type, actor_id: e.actorId, at: e.at, assignment_epoch: e.epoch,
    payload: JSON.stringify(e.payload),
  })), 'seq');
  await applyRollups(tx, events.map((e, k) => ({ seq: seqs[k], item_id: e.itemId, type: e.type, actor_id: e.actorId, at: e.at, payload: e.payload })));
}

export type DecisionRow = Insertable<DecisionsTable>;

/**
 * Appends rows of the producers' decisions feed (decisions.seq, a cursor log like change_log: commit order,
 * dialect.ts takeCommitOrderLock). Push collects a batch's rows and writes them at its end, so the lock every
 * cursor-log writer queues on is held for the last inserts and the commit, not for the whole batch.
 */
export async function appendDecisions(tx: Db, rows: DecisionRow[]): Promise<void> {
  if (rows.length === 0) return;
  await takeCommitOrderLock(tx);
  await insertRows(tx, 'decisions', rows);
}

/** Appends pull's change-log rows; their positions follow commit order (dialect.ts takeCommitOrderLock). */
export async function appendChanges(tx: Db, changes: Change[]): Promise<void> {
  if (changes.length === 0) return;
  await takeCommitOrderLock(tx);
  await insertRows(tx, 'change_log', changes.map((c) => ({
    user_id: c.userId, kind: c.kind, item_id: c.itemId, reason: c.reason ?? null,
    client_id: c.clientId ?? null, mutation_id: c.mutationId ?? null, at: c.at,
  })));
}
