// Rollback triggers (DESIGN §8): evaluated in the same transaction as the corrections that may trip them.
// A tripped trigger is an alert for the queue's owner with a proposed rollback filter; while an alert of a
// queue is unacknowledged no second one is raised, and after an acknowledgement only corrections recorded
// after the last alert count toward the next. Acknowledging is an event (ops_events), never an update.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { AlertAckRequest, AlertsQuery, RollbackAlert, RollbackFilter, RollbackTriggerRule } from '../../../shared/ops-api';
import type { Db } from '../../db/connection';
import { writeTransaction } from '../../db/write-transaction';
import { notFound } from '../../problem';
import type { AuthUser, ServerContext } from '../context';
import { opsScope } from './scope';

const HOUR = 3_600_000;

export async function evaluateTriggers(tx: Db, queueIds: string[], now: Date): Promise<string[]> {
  const raised: string[] = [];
  for (const queueId of queueIds) {
    const queue = await tx.selectFrom('queues').select(['id', 'owner_id', 'rollback_trigger']).where('id', '=', queueId).executeTakeFirst();
    if (!queue?.rollback_trigger) continue;
    const rule = JSON.parse(queue.rollback_trigger) as RollbackTriggerRule;
    const last = await tx.selectFrom('alerts').select(['id', 'tripped_at']).where('queue_id', '=', queueId)
      .orderBy('tripped_at', 'desc').limit(1).executeTakeFirst();
    if (last && !(await isAcknowledged(tx, last.id))) continue;
    const windowMs = rule.kind === 'corrections_count' ? rule.windowHours * HOUR : rule.windowDays * 24 * HOUR;
    const windowFrom = new Date(now.getTime() - windowMs).toISOString();
    const windowTo = now.toISOString();
    let q = tx.selectFrom('corrections').innerJoin('items', 'items.id', 'corrections.item_id')
      .select(['corrections.item_id', 'items.output']).where('items.queue_id', '=', queueId)
      .where('corrections.detected_at', '>=', windowFrom).where('corrections.detected_at', '<=', windowTo);
    if (last) q = q.where('corrections.recorded_at', '>', last.tripped_at);
    const corrected = await q.execute();
    let approvals: number | null = null;
    let ratePercent: number | null = null;
    let tripped: boolean;
    if (rule.kind === 'corrections_count') {
      tripped = corrected.length >= rule.atLeast;
    } else {
      const rows = await tx.selectFrom('decisions').innerJoin('items', 'items.id', 'decisions.item_id').select('decisions.seq')
        .where('items.queue_id', '=', queueId).where('decisions.recorded_at', '>=', windowFrom).where('decisions.recorded_at', '<=', windowTo)
        .where((eb) => eb.or([eb('decisions.kind', '=', 'approve'), eb.and([eb('decisions.kind', '=', 'override'), eb('decisions.outcome', '=', 'approve')])]))
        .execute();
      approvals = rows.length;
      ratePercent = approvals === 0 ? null : (corrected.length / approvals) * 100;
      tripped = approvals >= rule.minApprovals && ratePercent !== null && ratePercent >= rule.atLeastPercent;
    }
    if (!tripped) continue;
    const itemIds = [...new Set(corrected.map((c) => c.item_id))];
    const proposedFilter: RollbackFilter = { queueIds: [queueId], outcomes: ['approve'], from: windowFrom, to: new Date(now.getTime() + 1000).toISOString() };
    const model = commonModelVersion(corrected.map((c) => c.output));
    if (model !== undefined) proposedFilter.metadata = { path: 'output.modelVersion', equals: model };
    const id = `alert_${randomUUID()}`;
    await tx.insertInto('alerts').values({
      id, queue_id: queueId, owner_id: queue.owner_id, rule: JSON.stringify(rule), tripped_at: now.toISOString(),
      evidence: JSON.stringify({ corrections: corrected.length, approvals, ratePercent, windowFrom, windowTo, itemIds: itemIds.slice(0, 500) }),
      proposed_filter: JSON.stringify(proposedFilter),
    }).execute();
    raised.push(id);
  }
  return raised;
}

/** When every corrected item names the same `output.modelVersion`, the proposal narrows to it. */
function commonModelVersion(outputs: string[]): string | number | undefined {
  let common: string | number | undefined;
  for (const text of outputs) {
    const v = (JSON.parse(text) as { modelVersion?: unknown }).modelVersion;
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    if (common !== undefined && common !== v) return undefined;
    common = v;
  }
  return common;
}

async function isAcknowledged(db: Db, alertId: string): Promise<boolean> {
  return !!(await db.selectFrom('ops_events').select('seq').where('type', '=', 'alert_acknowledged').where('subject', '=', alertId).limit(1).executeTakeFirst());
}

async function alertFromRow(db: Db, r: { id: string; queue_id: string; owner_id: string; rule: string; tripped_at: string; evidence: string; proposed_filter: string }): Promise<RollbackAlert> {
  const ack = await db.selectFrom('ops_events').select(['actor_id', 'at', 'payload']).where('type', '=', 'alert_acknowledged')
    .where('subject', '=', r.id).orderBy('seq').limit(1).executeTakeFirst();
  return {
    id: r.id, queueId: r.queue_id, ownerId: r.owner_id, rule: JSON.parse(r.rule) as RollbackTriggerRule, trippedAt: r.tripped_at,
    evidence: JSON.parse(r.evidence) as RollbackAlert['evidence'], proposedFilter: JSON.parse(r.proposed_filter) as RollbackFilter,
    status: ack ? 'acknowledged' : 'open', acknowledgedAt: ack?.at ?? null, acknowledgedBy: ack?.actor_id ?? null,
    note: ack ? ((JSON.parse(ack.payload) as { note?: string }).note ?? null) : null,
  };
}

export async function listAlerts(ctx: ServerContext, user: AuthUser, q: z.output<typeof AlertsQuery>): Promise<RollbackAlert[]> {
  const scope = await opsScope(ctx.db, user);
  let query = ctx.db.selectFrom('alerts').selectAll().orderBy('tripped_at', 'desc').orderBy('id').limit(500);
  if (!scope.all) query = query.where('queue_id', 'in', scope.queueIds.size > 0 ? [...scope.queueIds] : ['\u0000none']);
  const alerts = await Promise.all((await query.execute()).map((r) => alertFromRow(ctx.db, r)));
  return q.status === 'all' ? alerts : alerts.filter((a) => a.status === q.status);
}

export async function acknowledgeAlert(ctx: ServerContext, user: AuthUser, req: z.output<typeof AlertAckRequest>): Promise<RollbackAlert> {
  const scope = await opsScope(ctx.db, user);
  return writeTransaction(ctx.db, async (tx) => {
    const row = await tx.selectFrom('alerts').selectAll().where('id', '=', req.alertId).executeTakeFirst();
    // An alert of another owner's path is as unknown to this caller as a missing one.
    if (!row || !scope.queueIds.has(row.queue_id)) throw notFound(`no alert '${req.alertId}' among the paths you see`);
    if (!(await isAcknowledged(tx, row.id))) {
      await tx.insertInto('ops_events').values({ type: 'alert_acknowledged', actor_id: user.id, at: ctx.now().toISOString(), subject: row.id,
        payload: JSON.stringify({ note: req.note ?? null, queueId: row.queue_id }) }).execute();
    }
    return alertFromRow(tx, row);
  });
}
