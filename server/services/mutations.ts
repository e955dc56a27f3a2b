// Applies one reviewer mutation inside the push transaction. Decides applied / conflict / rejected from the
// item's current state and the lease (assignmentEpoch) the reviewer held; never throws for a domain reason.
import type { ConflictCode, Mutation, MutationResult, RejectionCode } from '../../shared/central-api';
import type { Item, Queue } from '../../shared/domain';
import { applyMutationToItem, isAssignedTo } from '../../shared/item-effects';
import type { Db } from '../db/connection';
import { selectRow, selectRowsIn, updateRowsInStorageOrder } from '../db/prepared';
import { itemFromRow } from '../db/rows';
import type { ItemEpochsTable, ItemRow } from '../db/schema';
import type { AuthUser } from './context';
import type { Change, DecisionRow, ItemEvent } from './journal';
import { endEpoch, startEpoch } from './leases';
import { hasReasonCode } from './queues';
import { escalateRefusal } from '../../shared/escalation';
import { RECLASSIFY_REASONS, reclassifyReason } from '../../shared/reclassify-reasons';
import { jsonBytes, MAX_ITEM_NOTES, MAX_ITEM_NOTES_BYTES } from '../../shared/limits';

/** Why an item may not hold these notes (shared/limits.ts), or null. */
function notesOverLimit(notes: Item['notes']): string | null {
  if (notes.length > MAX_ITEM_NOTES) return `the item already holds ${MAX_ITEM_NOTES} notes, the most it may hold`;
  const bytes = notes.reduce((n, x) => n + jsonBytes(x.text), 0);
  if (bytes > MAX_ITEM_NOTES_BYTES) return `the item's notes would take ${bytes} bytes; at most ${MAX_ITEM_NOTES_BYTES} are kept per item`;
  return null;
}


export interface MutationEnv {
  tx: Db;
  user: AuthUser;
  clientId: string;
  now: Date;
  queues: Map<string, Queue>;
  /**
   * Decisions-feed rows, events and change-log rows, written in bulk by the caller at the end of the same
   * transaction, each in this order (nothing in a batch reads them back).
   */
  journal: { decisions: DecisionRow[]; events: ItemEvent[]; changes: Change[] };
  /** The batch's rows read up front (readBatchRows); without it each mutation reads its own. */
  batchRows?: BatchRows;
  /** The batch's item updates, held until writeItemUpdates writes them in storage order before commit. */
  itemWrites: ItemWrites;
}

/**
 * An item's pending update in a push batch: its row as the batch's mutations left it (what a later mutation or
 * read in the batch must see) and every column they changed. Written by writeItemUpdates, in the same transaction.
 */
export type ItemWrites = Map<string, { row: ItemRow; set: Partial<ItemRow> }>;

/** Writes the batch's pending item updates (in the table's storage order: prepared.ts) and forgets them. */
export async function writeItemUpdates(tx: Db, writes: ItemWrites): Promise<void> {
  if (writes.size === 0) return;
  await updateRowsInStorageOrder(tx, 'items', 'id', [...writes].map(([key, w]) => ({ key, set: w.set })));
  writes.clear();
}

/**
 * The item rows and lease (epoch) rows a push batch needs, read with one query each instead of two per
 * mutation. Each item's rows serve its first mutation only (takeRows): a mutation writes only its own item's
 * rows, so an item's second mutation in the batch reads them afresh.
 */
export interface BatchRows { items: Map<string, ItemRow>; epochs: Map<string, ItemEpochsTable[]> }

export async function readBatchRows(tx: Db, itemIds: readonly string[]): Promise<BatchRows> {
  const items = new Map((await selectRowsIn(tx, 'items', 'id', itemIds)).map((r) => [r.id, r]));
  const epochs = new Map<string, ItemEpochsTable[]>(itemIds.map((id) => [id, []]));
  for (const e of await selectRowsIn(tx, 'item_epochs', 'item_id', itemIds)) epochs.get(e.item_id)?.push(e);
  return { items, epochs };
}

/**
 * The item's row, and its lease rows (null: not read yet): from the batch's reads when this is the item's first
 * use, as an earlier mutation of the batch left it if one changed it (not yet written), else read now.
 */
async function takeRows(env: MutationEnv, itemId: string): Promise<{ row: ItemRow | undefined; epochs: ItemEpochsTable[] | null }> {
  const pending = env.itemWrites.get(itemId);
  if (pending) return { row: pending.row, epochs: null };
  const pre = env.batchRows;
  const epochs = pre?.epochs.get(itemId);
  if (pre && epochs) {
    const row = pre.items.get(itemId);
    pre.epochs.delete(itemId);
    pre.items.delete(itemId);
    return { row, epochs };
  }
  return { row: await selectRow(env.tx, 'items', { id: itemId }), epochs: null };
}

type Outcome = Omit<MutationResult, 'mutationId' | 'itemId'>;

const applied = (item: Item): Outcome => ({ status: 'applied', code: 'ok', item });
const rejected = (code: RejectionCode, message: string, item: Item | null = null): Outcome => ({ status: 'rejected', code, message, item });
const conflict = (code: ConflictCode, message: string, item: Item | null): Outcome => ({ status: 'conflict', code, message, item });

export async function applyMutation(env: MutationEnv, m: Mutation): Promise<Outcome> {
  const outcome = await decideOutcome(env, m);
  // An applied result shows the item as the user's own change left it. A conflict or rejection shows the
  // current item only if the user may still see it: a reviewer never sees an item that moved on to
  // someone else (the desk keeps its own copy in the conflicts inbox).
  if (outcome.status !== 'applied' && outcome.item && !visibleTo(outcome.item, env.user.id, env.queues)) return { ...outcome, item: null };
  return outcome;
}

/** May this user see the item now: it is theirs, their own outcome, or in a queue they own. */
export function visibleTo(item: Item, uid: string, queues: Map<string, Queue>): boolean {
  if (isAssignedTo(item, uid)) return true;
  if (item.status === 'resolved' && item.outcome?.by === uid) return true;
  return queues.get(item.queueId)?.ownerId === uid;
}

async function decideOutcome(env: MutationEnv, m: Mutation): Promise<Outcome> {
  const { user } = env;
  const { row, epochs } = await takeRows(env, m.itemId);
  if (!row) return rejected('unknown_item', `no item '${m.itemId}'`);
  const queue = env.queues.get(row.queue_id);
  if (!queue) return rejected('unknown_item', `item '${m.itemId}' has no queue`);
  const held = epochs ? epochs.find((e) => e.epoch === m.assignmentEpoch) : await selectRow(env.tx, 'item_epochs', { item_id: row.id, epoch: m.assignmentEpoch });
  const heldByMe = held?.user_id === user.id;
  const isQueueOwner = queue.ownerId === user.id;

  if (m.kind === 'revert') return revert(env, m, row, queue, heldByMe, isQueueOwner);
  if (m.kind === 'override') return override(env, m, row, queue, isQueueOwner);
  // Never tell a user anything about an item whose lease they did not hold.
  if (!heldByMe) return rejected('not_assigned', `item '${m.itemId}' was not leased to you in epoch ${m.assignmentEpoch}`);
  const current = m.assignmentEpoch === row.assignment_epoch;
  if (m.kind === 'note' && current && row.status !== 'withdrawn') return note(env, m, row);
  if (!current) return classifyStale(row, held.ended_reason, user.id);
  if (row.status === 'resolved') return conflict('resolved_elsewhere', 'this lease already has an outcome (decided from another client?)', itemFromRow(row));
  if (row.status === 'withdrawn') return conflict('withdrawn', 'the producer withdrew this item', itemFromRow(row));
  if (row.status === 'open') {
    return held.ended_reason === 'lease_expired'
      ? conflict('lease_expired', 'your lease expired and the item went back to its queue', itemFromRow(row))
      : conflict('stale_epoch', `your lease ended (${held.ended_reason ?? 'released'})`, itemFromRow(row));
  }
  switch (m.kind) {
    case 'approve': case 'reject': case 'correct': return decide(env, m, row, queue);
    case 'escalate': return escalate(env, m, row, queue);
    case 'defer': return defer(env, m, row);
    case 'reclassify': return reclassify(env, m, row);
    case 'note': return rejected('invalid_transition', 'a note needs an item you hold');
  }
}

function classifyStale(row: ItemRow, endedReason: string | null, userId: string): Outcome {
  const item = itemFromRow(row);
  if (row.status === 'resolved' && item.outcome?.by !== userId) return conflict('resolved_elsewhere', 'another user already decided this item', item);
  if (row.status === 'withdrawn') return conflict('withdrawn', 'the producer withdrew this item', item);
  if (endedReason === 'lease_expired') return conflict('lease_expired', 'your lease expired; the item was leased again', item);
  if (endedReason === 'reassigned') return conflict('reassigned', 'a supervisor reassigned this item', item);
  return conflict('stale_epoch', `the lease you decided under has ended (${endedReason ?? 'superseded'})`, item);
}

/** Writes the shared effect of `m` (shared/item-effects.ts) to the row; `extra`: server-only columns. */
async function applyEffect(env: MutationEnv, row: ItemRow, m: Mutation, extra: Partial<ItemRow> = {}): Promise<Item> {
  const next = applyMutationToItem(itemFromRow(row), m, { userId: env.user.id, now: env.now.toISOString(), queues: env.queues });
  const set: Partial<ItemRow> = {
    status: next.status, assignee_id: next.assigneeId, assignment_epoch: next.assignmentEpoch, lease_expires_at: next.leaseExpiresAt,
    outcome: next.outcome ? JSON.stringify(next.outcome) : null, escalation: next.escalation ? JSON.stringify(next.escalation) : null,
    notes: JSON.stringify(next.notes), exception_class: next.exceptionClass, queue_id: next.queueId, version: next.version, ...extra,
  };
  const changed = changedColumns(row, set);
  const pending = env.itemWrites.get(row.id);
  env.itemWrites.set(row.id, { row: { ...row, ...changed }, set: pending ? { ...pending.set, ...changed } : changed });
  return next;
}

/**
 * Only the columns whose value changes: an unchanged column in SET still costs its bind, and on SQLite a
 * foreign-key column in SET (queue_id, assignee_id) is checked against its parent table every time.
 */
function changedColumns(row: ItemRow, set: Partial<ItemRow>): Partial<ItemRow> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(set) as (keyof ItemRow)[]) if (set[k] !== row[k]) out[k] = set[k];
  return out as Partial<ItemRow>;
}

const laborPayload = (m: Mutation, env: MutationEnv) => ({ labor: m.labor ?? null, clientAt: m.at, clientId: env.clientId, mutationId: m.mutationId });

async function decide(env: MutationEnv, m: Extract<Mutation, { kind: 'approve' | 'reject' | 'correct' }>, row: ItemRow, queue: Queue): Promise<Outcome> {
  const { tx, user } = env;
  const reasonCode = 'reasonCode' in m.payload ? m.payload.reasonCode : undefined;
  if (reasonCode !== undefined && !hasReasonCode(queue, reasonCode)) {
    return rejected('unknown_reason_code', `'${reasonCode}' is not a reason code of queue ${queue.id}`, itemFromRow(row));
  }
  // An earlier outcome in this lease would have left the item resolved (answered above as a conflict); the
  // unique index on decisions (item, epoch) is the database's own guard behind that check.
  const at = env.now.toISOString();
  const correctedOutput = m.kind === 'correct' ? m.payload.correctedOutput : undefined;
  const wasEscalated = row.status === 'escalated';
  env.journal.decisions.push({ item_id: row.id, assignment_epoch: row.assignment_epoch, kind: m.kind, by: user.id, at: m.at,
    reason_code: reasonCode ?? null, corrected_output: correctedOutput ? JSON.stringify(correctedOutput) : null,
    comment: m.payload.comment ?? null, recorded_at: at });
  const item = await applyEffect(env, row, m);
  await endEpoch(tx, row.id, row.assignment_epoch, at, 'decided');
  env.journal.events.push({ itemId: row.id, type: 'decided', actorId: user.id, at, epoch: row.assignment_epoch, payload: {
    kind: m.kind, reasonCode: reasonCode ?? null, comment: m.payload.comment ?? null, correctedOutput: correctedOutput ?? null,
    rework: row.revert_count > 0, afterEscalation: wasEscalated, queueId: row.queue_id, exceptionClass: row.exception_class,
    ...laborPayload(m, env) } });
  env.journal.changes.push({ userId: user.id, kind: 'remove', itemId: row.id, reason: 'decided', at });
  return applied(item);
}

async function escalate(env: MutationEnv, m: Extract<Mutation, { kind: 'escalate' }>, row: ItemRow, queue: Queue): Promise<Outcome> {
  const { tx, user } = env;
  if (!hasReasonCode(queue, m.payload.reasonCode)) {
    return rejected('unknown_reason_code', `'${m.payload.reasonCode}' is not a reason code of queue ${queue.id}`, itemFromRow(row));
  }
  const refusal = escalateRefusal(queue, row.status, user.id);
  if (refusal === 'already_escalated') return rejected('invalid_transition', 'the item is already escalated to its owner', itemFromRow(row));
  if (refusal === 'own_queue') return rejected('invalid_transition', `you own queue ${queue.id}: decide the item instead of escalating it`, itemFromRow(row));
  const at = env.now.toISOString();
  const epoch = row.assignment_epoch + 1;
  await endEpoch(tx, row.id, row.assignment_epoch, at, 'escalated');
  await startEpoch(tx, row.id, epoch, queue.ownerId, 'escalation', at);
  const item = await applyEffect(env, row, m);
  env.journal.events.push({ itemId: row.id, type: 'escalated', actorId: user.id, at, epoch, payload: {
    from: user.id, to: queue.ownerId, reasonCode: m.payload.reasonCode, comment: m.payload.comment ?? null, fromEpoch: row.assignment_epoch,
    ...laborPayload(m, env) } });
  env.journal.changes.push(
    { userId: user.id, kind: 'remove', itemId: row.id, reason: 'escalated', at },
    { userId: queue.ownerId, kind: 'upsert', itemId: row.id, at },
  );
  return applied(item);
}

async function defer(env: MutationEnv, m: Extract<Mutation, { kind: 'defer' }>, row: ItemRow): Promise<Outcome> {
  const { tx, user } = env;
  const at = env.now.toISOString();
  await endEpoch(tx, row.id, row.assignment_epoch, at, 'deferred');
  const item = await applyEffect(env, row, m);
  env.journal.events.push({ itemId: row.id, type: 'deferred', actorId: user.id, at, epoch: row.assignment_epoch, payload: {
    comment: m.payload.comment ?? null, wasEscalated: row.status === 'escalated', ...laborPayload(m, env) } });
  env.journal.changes.push({ userId: user.id, kind: 'remove', itemId: row.id, reason: 'deferred', at });
  return applied(item);
}

async function reclassify(env: MutationEnv, m: Extract<Mutation, { kind: 'reclassify' }>, row: ItemRow): Promise<Outcome> {
  const { user } = env;
  if (!reclassifyReason(m.payload.reasonCode)) {
    return rejected('unknown_reason_code', `'${m.payload.reasonCode}' is not a reason to reclassify (${RECLASSIFY_REASONS.map((r) => r.code).join(', ')})`, itemFromRow(row));
  }
  if (m.payload.exceptionClass === row.exception_class) return rejected('invalid_transition', `the item is already ${row.exception_class}`, itemFromRow(row));
  const at = env.now.toISOString();
  const item = await applyEffect(env, row, m);
  env.journal.events.push({ itemId: row.id, type: 'reclassified', actorId: user.id, at, epoch: row.assignment_epoch, payload: {
    fromClass: row.exception_class, toClass: m.payload.exceptionClass, fromQueueId: row.queue_id, toQueueId: item.queueId,
    reasonCode: m.payload.reasonCode, comment: m.payload.comment ?? null, ...laborPayload(m, env) } });
  env.journal.changes.push({ userId: user.id, kind: 'upsert', itemId: row.id, at });
  return applied(item);
}

async function note(env: MutationEnv, m: Extract<Mutation, { kind: 'note' }>, row: ItemRow): Promise<Outcome> {
  const { user } = env;
  const at = env.now.toISOString();
  // The read schema bounds notes (Item.notes): refuse the one that would pass it, so every desk can still read the item.
  const full = notesOverLimit([...(JSON.parse(row.notes) as Item['notes']), { by: user.id, at: m.at, text: m.payload.text }]);
  if (full) return rejected('limit_exceeded', full, itemFromRow(row));
  const item = await applyEffect(env, row, m);
  env.journal.events.push({ itemId: row.id, type: 'noted', actorId: user.id, at, epoch: row.assignment_epoch, payload: {
    text: m.payload.text, ...laborPayload(m, env) } });
  if (row.assignee_id === user.id) env.journal.changes.push({ userId: user.id, kind: 'upsert', itemId: row.id, at });
  return applied(item);
}

/**
 * Undo a decision that reached the server. A resolved item reopens to the reverting user under a new lease
 * (its next outcome is rework); an escalation the owner has not acted on comes back to the reviewer.
 * The decider may revert, and so may the queue owner (a rollback).
 */
async function revert(env: MutationEnv, m: Extract<Mutation, { kind: 'revert' }>, row: ItemRow, queue: Queue, heldByMe: boolean, isQueueOwner: boolean): Promise<Outcome> {
  const { tx, user } = env;
  const at = env.now.toISOString();
  const epoch = row.assignment_epoch + 1;
  const current = m.assignmentEpoch === row.assignment_epoch;
  if (!heldByMe && !(isQueueOwner && current && row.status === 'resolved')) {
    return rejected('not_assigned', `item '${m.itemId}' was not leased to you in epoch ${m.assignmentEpoch}`);
  }
  if (row.status === 'resolved' && current) {
    const previousOutcome = JSON.parse(row.outcome ?? 'null') as Item['outcome'];
    env.journal.decisions.push({ item_id: row.id, assignment_epoch: row.assignment_epoch, kind: 'revert', by: user.id, at: m.at,
      reason_code: null, corrected_output: null, comment: m.payload.comment ?? null, recorded_at: at });
    await startEpoch(tx, row.id, epoch, user.id, 'revert', at);
    const item = await applyEffect(env, row, m, { revert_count: row.revert_count + 1 });
    env.journal.events.push({ itemId: row.id, type: 'reverted', actorId: user.id, at, epoch, payload: {
      previousOutcome, revertedEpoch: row.assignment_epoch, rework: true, rollbackByOwner: !heldByMe, comment: m.payload.comment ?? null,
      ...laborPayload(m, env) } });
    env.journal.changes.push({ userId: user.id, kind: 'upsert', itemId: row.id, at });
    return applied(item);
  }
  const escalation = JSON.parse(row.escalation ?? 'null') as Item['escalation'];
  if (row.status === 'escalated' && escalation?.by === user.id && m.assignmentEpoch === row.assignment_epoch - 1) {
    const owner = row.assignee_id;
    await endEpoch(tx, row.id, row.assignment_epoch, at, 'reassigned');
    await startEpoch(tx, row.id, epoch, user.id, 'revert', at);
    const item = await applyEffect(env, row, m);
    env.journal.events.push({ itemId: row.id, type: 'reverted', actorId: user.id, at, epoch, payload: {
      previousEscalation: escalation, revertedEpoch: m.assignmentEpoch, rework: false, comment: m.payload.comment ?? null, ...laborPayload(m, env) } });
    env.journal.changes.push(
      ...(owner ? [{ userId: owner, kind: 'remove' as const, itemId: row.id, reason: 'reassigned', at }] : []),
      { userId: user.id, kind: 'upsert', itemId: row.id, at },
    );
    return applied(item);
  }
  if (!current) {
    const held = await tx.selectFrom('item_epochs').select('ended_reason').where('item_id', '=', row.id).where('epoch', '=', m.assignmentEpoch).executeTakeFirst();
    return classifyStale(row, held?.ended_reason ?? null, user.id);
  }
  return rejected('nothing_to_revert', `item '${row.id}' has no decision of yours to revert (it is ${row.status})`, itemFromRow(row));
}


/**
 * The queue owner replaces someone else's outcome with their own, in one transaction: the old outcome is
 * reverted (rework) and the owner's recorded under a new epoch; the decisions feed gets one `override` row.
 * `assignmentEpoch` names the outcome being overridden, so two owners' overrides (or an override racing a
 * revert) cannot both apply: the second finds the epoch moved on.
 */
async function override(env: MutationEnv, m: Extract<Mutation, { kind: 'override' }>, row: ItemRow, queue: Queue, isQueueOwner: boolean): Promise<Outcome> {
  const { tx, user } = env;
  if (!isQueueOwner) return rejected('not_assigned', `only the owner of queue ${queue.id} may override its outcomes`);
  const item = itemFromRow(row);
  if (m.assignmentEpoch !== row.assignment_epoch) {
    return conflict('stale_epoch', 'the outcome you override is no longer the current one (reverted, overridden or decided again meanwhile)', item);
  }
  if (row.status !== 'resolved' || !item.outcome) return rejected('invalid_transition', `item '${row.id}' is ${row.status}: there is no outcome to override`, item);
  if (item.outcome.by === user.id) return rejected('invalid_transition', 'this outcome is your own: revert it instead of overriding it', item);
  const p = m.payload;
  if (p.reasonCode !== undefined && !hasReasonCode(queue, p.reasonCode)) {
    return rejected('unknown_reason_code', `'${p.reasonCode}' is not a reason code of queue ${queue.id}`, item);
  }
  const at = env.now.toISOString();
  const epoch = row.assignment_epoch + 1;
  env.journal.decisions.push({ item_id: row.id, assignment_epoch: epoch, kind: 'override', outcome: p.outcome, by: user.id, at: m.at,
    reason_code: p.reasonCode ?? null, corrected_output: p.correctedOutput ? JSON.stringify(p.correctedOutput) : null, comment: p.reason,
    recorded_at: at });
  await startEpoch(tx, row.id, epoch, user.id, 'override', at);
  await endEpoch(tx, row.id, epoch, at, 'decided');
  const next = await applyEffect(env, row, m, { revert_count: row.revert_count + 1 });
  // Two log events (the revert and the owner's outcome) so every metric reads overrides like any revert + outcome.
  env.journal.events.push(
    { itemId: row.id, type: 'reverted', actorId: user.id, at, epoch, payload: {
      previousOutcome: item.outcome, revertedEpoch: row.assignment_epoch, rework: true, override: true, rollbackByOwner: true,
      comment: p.reason, clientAt: m.at, clientId: env.clientId, mutationId: m.mutationId } },
    { itemId: row.id, type: 'decided', actorId: user.id, at, epoch, payload: {
      kind: p.outcome, reasonCode: p.reasonCode ?? null, comment: p.reason, correctedOutput: p.correctedOutput ?? null, rework: true, override: true,
      afterEscalation: false, queueId: row.queue_id, exceptionClass: row.exception_class, ...laborPayload(m, env) } },
  );
  return applied(next);
}
