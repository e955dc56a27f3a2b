// Rollback (DESIGN §8): revert a set of outcomes chosen by a filter, with a reason. Preview answers the count
// and a sample; apply is idempotent by rollback id: it records the matched outcomes (item + the epoch of
// that outcome) once, then reverts them in bounded batches, each its own write transaction, in the
// background. Each reverted item reopens in its queue (unassigned) and the decisions feed gets one `revert`
// row with the rollback id. An outcome that changed before its batch ran (reverted, overridden, decided
// again under a new lease) is skipped, never reverted twice. Progress is readable while it runs.
import type { z } from 'zod';
import { canonicalJson } from '../../../shared/central-api';
import type { Item } from '../../../shared/domain';
import {
  MAX_ROLLBACK_ITEMS, ROLLBACK_BATCH_SIZE, ROLLBACK_SAMPLE_SIZE, type RollbackFilter, type RollbackProgress, type RollbackRequest, type RollbackResponse,
} from '../../../shared/ops-api';
import type { Db } from '../../db/connection';
import { dialectOf, lockRows, takeCommitOrderLock } from '../../db/dialect';
import type { RollbacksTable } from '../../db/schema';
import { writeTransaction } from '../../db/write-transaction';
import { badRequest, conflictProblem, forbidden, notFound } from '../../problem';
import type { AuthUser, ServerContext } from '../context';
import { appendEvents, type ItemEvent } from '../journal';
import { opsScope, requireQueues, seesEverything } from './scope';

interface Match { itemId: string; epoch: number; queueId: string; title: string; outcome: Item['outcome'] & object; decidedAt: string; reasonCode: string | null }

/** Follows a dotted `input.`/`output.` path through parsed JSON. */
function valueAt(row: { input: string; output: string }, path: string): unknown {
  const [root, ...keys] = path.split('.');
  let v: unknown = JSON.parse(root === 'input' ? row.input : row.output);
  for (const k of keys) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** The current outcomes the filter selects, oldest first. Portable SQL for the columns; the metadata path in JS. */
async function findMatches(db: Db, filter: RollbackFilter, queueIds: string[]): Promise<Match[]> {
  if (queueIds.length === 0) return [];
  let q = db.selectFrom('decisions').innerJoin('items', 'items.id', 'decisions.item_id')
    .select(['items.id', 'items.assignment_epoch', 'items.queue_id', 'items.title', 'items.outcome', 'items.input', 'items.output',
      'decisions.recorded_at', 'decisions.reason_code', 'decisions.by', 'decisions.kind', 'decisions.outcome as override_outcome'])
    .where('items.status', '=', 'resolved')
    .whereRef('decisions.assignment_epoch', '=', 'items.assignment_epoch')
    .where('decisions.kind', 'in', ['approve', 'reject', 'correct', 'override'])
    .where('items.queue_id', 'in', queueIds)
    .where('decisions.recorded_at', '>=', new Date(filter.from).toISOString())
    .where('decisions.recorded_at', '<', new Date(filter.to).toISOString());
  if (filter.reviewerIds) q = q.where('decisions.by', 'in', filter.reviewerIds);
  if (filter.reasonCodes) q = q.where('decisions.reason_code', 'in', filter.reasonCodes);
  const rows = await q.orderBy('decisions.recorded_at').orderBy('items.id').execute();
  const out: Match[] = [];
  for (const r of rows) {
    const kind = r.kind === 'override' ? r.override_outcome : r.kind;
    if (filter.outcomes && !filter.outcomes.includes(kind as 'approve')) continue;
    if (filter.metadata && valueAt(r, filter.metadata.path) !== filter.metadata.equals) continue;
    out.push({ itemId: r.id, epoch: r.assignment_epoch, queueId: r.queue_id, title: r.title, outcome: JSON.parse(r.outcome!) as Match['outcome'],
      decidedAt: r.recorded_at, reasonCode: r.reason_code });
  }
  return out;
}

function progressFromRow(r: RollbacksTable): RollbackProgress {
  return { mode: 'apply', rollbackId: r.id, status: r.status as RollbackProgress['status'], by: r.by, reason: r.reason,
    filter: JSON.parse(r.filter) as RollbackFilter, total: r.total, reverted: r.reverted, skipped: r.skipped, batchSize: r.batch_size,
    startedAt: r.started_at, finishedAt: r.finished_at };
}

export async function rollback(ctx: ServerContext, user: AuthUser, req: z.output<typeof RollbackRequest>): Promise<RollbackResponse> {
  const scope = await opsScope(ctx.db, user);
  if (!user.roles.includes('admin') && !user.roles.includes('owner')) throw forbidden('a rollback is for the owner of the queues, or an admin');
  const queueIds = req.filter.queueIds ?? [...scope.queueIds];
  requireQueues(scope, queueIds, 'rollback');
  if (req.mode === 'preview') {
    const matches = await findMatches(ctx.db, req.filter, queueIds);
    const byQueue = new Map<string, number>();
    for (const m of matches) byQueue.set(m.queueId, (byQueue.get(m.queueId) ?? 0) + 1);
    return { mode: 'preview', count: matches.length, byQueue: [...byQueue].map(([queueId, count]) => ({ queueId, count })),
      sample: matches.slice(0, ROLLBACK_SAMPLE_SIZE).map((m) => ({ itemId: m.itemId, queueId: m.queueId, title: m.title, outcome: m.outcome.kind,
        decidedBy: m.outcome.by, decidedAt: m.decidedAt, reasonCode: m.reasonCode })) };
  }
  const filterJson = canonicalJson(req.filter);
  const at = ctx.now().toISOString();
  const row = await writeTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('rollbacks').selectAll().where('id', '=', req.rollbackId).executeTakeFirst();
    if (existing) {
      if (existing.filter !== filterJson || existing.reason !== req.reason || existing.by !== user.id) {
        throw conflictProblem(`rollback '${req.rollbackId}' already exists with another filter, reason or owner; choose a new rollback id`);
      }
      return existing;
    }
    const matches = await findMatches(tx, req.filter, queueIds);
    if (matches.length > MAX_ROLLBACK_ITEMS) {
      throw badRequest(`the filter selects ${matches.length} outcomes; a rollback covers at most ${MAX_ROLLBACK_ITEMS}: narrow the time window or queues`);
    }
    const created: RollbacksTable = { id: req.rollbackId, by: user.id, reason: req.reason, filter: filterJson, status: matches.length > 0 ? 'running' : 'completed',
      total: matches.length, reverted: 0, skipped: 0, batch_size: ROLLBACK_BATCH_SIZE, started_at: at, finished_at: matches.length > 0 ? null : at };
    await tx.insertInto('rollbacks').values(created).execute();
    for (let i = 0; i < matches.length; i += 200) {
      await tx.insertInto('rollback_items').values(matches.slice(i, i + 200).map((m) => ({ rollback_id: req.rollbackId, item_id: m.itemId, epoch: m.epoch, state: 'pending' as const }))).execute();
    }
    return created;
  });
  if (row.status === 'running') startRollback(ctx, row.id);
  return progressFromRow(row);
}

export async function rollbackProgress(ctx: ServerContext, user: AuthUser, rollbackId: string): Promise<RollbackProgress> {
  const row = await ctx.db.selectFrom('rollbacks').selectAll().where('id', '=', rollbackId).executeTakeFirst();
  if (!row || (row.by !== user.id && !seesEverything(user))) throw notFound(`no rollback '${rollbackId}' of yours`);
  return progressFromRow(row);
}

/** Runs (or resumes) a rollback's pending batches in the background, one write transaction per batch. */
export function startRollback(ctx: ServerContext, rollbackId: string): void {
  if (!ctx.tasks) throw new Error('rollbacks need the server\'s background tasks');
  ctx.tasks.start(`rollback:${rollbackId}`, async (shouldStop) => {
    while (!shouldStop()) {
      const more = await revertBatch(ctx, rollbackId);
      if (!more) return;
      await new Promise((r) => setImmediate(r));
    }
  });
}

/** The next batch of a rollback; false when none was left (the rollback is then marked completed). */
export async function revertBatch(ctx: ServerContext, rollbackId: string): Promise<boolean> {
  return writeTransaction(ctx.db, async (tx) => {
    const rb = await tx.selectFrom('rollbacks').selectAll().where('id', '=', rollbackId).executeTakeFirstOrThrow();
    const at = ctx.now().toISOString();
    const pending = await tx.selectFrom('rollback_items').select(['item_id', 'epoch']).where('rollback_id', '=', rollbackId)
      .where('state', '=', 'pending').orderBy('item_id').limit(rb.batch_size).execute();
    if (pending.length === 0) {
      await tx.updateTable('rollbacks').set({ status: 'completed', finished_at: rb.finished_at ?? at }).where('id', '=', rollbackId).execute();
      return false;
    }
    // The batch's items locked first (id order), then the commit-order lock: the order push, claims,
    // assignments and sweeps take them in, so a rollback batch neither deadlocks with them nor reverts an item
    // from a state another node is changing (PostgreSQL; SQLite's write lock already serialises them).
    await lockRows(tx.selectFrom('items').select('id').where('id', 'in', pending.map((p) => p.item_id)).orderBy('id'), dialectOf(tx)).execute();
    await takeCommitOrderLock(tx);
    const events: ItemEvent[] = [];
    let reverted = 0;
    let skipped = 0;
    for (const p of pending) {
      const item = await tx.selectFrom('items').selectAll().where('id', '=', p.item_id).executeTakeFirstOrThrow();
      const stillThatOutcome = item.status === 'resolved' && item.assignment_epoch === p.epoch;
      if (stillThatOutcome) {
        await tx.insertInto('decisions').values({ item_id: item.id, assignment_epoch: item.assignment_epoch, kind: 'revert', by: rb.by, at,
          reason_code: null, corrected_output: null, comment: rb.reason, recorded_at: at, rollback_id: rollbackId }).execute();
        // Back to its queue, unassigned: the next claim gives it a new lease epoch, and its next outcome is rework.
        await tx.updateTable('items').set({ status: 'open', assignee_id: null, lease_expires_at: null, outcome: null, escalation: null,
          revert_count: item.revert_count + 1, version: item.version + 1 }).where('id', '=', item.id).execute();
        events.push({ itemId: item.id, type: 'reverted', actorId: rb.by, at, epoch: item.assignment_epoch, payload: {
          previousOutcome: JSON.parse(item.outcome ?? 'null') as unknown, revertedEpoch: item.assignment_epoch, rework: true, rollbackId,
          rollbackByOwner: true, reopenedInQueue: item.queue_id, comment: rb.reason } });
        reverted += 1;
      } else {
        skipped += 1;
      }
      await tx.updateTable('rollback_items').set({ state: stillThatOutcome ? 'reverted' : 'skipped' })
        .where('rollback_id', '=', rollbackId).where('item_id', '=', p.item_id).execute();
    }
    await appendEvents(tx, events);
    await tx.updateTable('rollbacks').set({ reverted: rb.reverted + reverted, skipped: rb.skipped + skipped }).where('id', '=', rollbackId).execute();
    return true;
  });
}
