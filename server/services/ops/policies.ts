// Queue policy (DESIGN §8): owner, SLA target, loaded labor cost per hour, idle threshold, rollback trigger,
// and the defer cooldown (issue 14 item 3).
// Changed by an admin or by the queue's owner (API and server CLI); every change is an ops event with what
// it was before, so the history of a control point's policy can be read back.
import type { z } from 'zod';
import type { QueuePolicy, QueuePolicyUpdate, RollbackTriggerRule } from '../../../shared/ops-api';
import { DEFER_COOLDOWN_MINUTES } from '../../../shared/defer-policy';
import type { Db } from '../../db/connection';
import type { QueueRow } from '../../db/schema';
import { writeTransaction } from '../../db/write-transaction';
import { badRequest, forbidden, notFound } from '../../problem';
import type { AuthUser } from '../context';

export function policyFromRow(r: QueueRow): QueuePolicy {
  return {
    queueId: r.id, workflow: r.workflow, stage: r.stage, exceptionClass: r.exception_class, ownerId: r.owner_id,
    slaTargetMinutes: r.sla_target_minutes, idleThresholdSec: r.idle_threshold_sec,
    deferCooldownMinutes: r.defer_cooldown_minutes ?? DEFER_COOLDOWN_MINUTES,
    laborCost: r.labor_cost_per_hour !== null && r.labor_currency !== null ? { amountPerHour: r.labor_cost_per_hour, currency: r.labor_currency } : null,
    rollbackTrigger: r.rollback_trigger ? (JSON.parse(r.rollback_trigger) as RollbackTriggerRule) : null,
    updatedAt: r.policy_updated_at, updatedBy: r.policy_updated_by,
  };
}

export async function listPolicies(db: Db): Promise<QueuePolicy[]> {
  return (await db.selectFrom('queues').selectAll().orderBy('id').execute()).map(policyFromRow);
}

/** `actor` null: the server CLI (an operator on the machine, with admin authority). */
export async function updatePolicy(db: Db, actor: AuthUser | null, req: z.output<typeof QueuePolicyUpdate>, now: Date): Promise<QueuePolicy> {
  return writeTransaction(db, async (tx) => {
    const row = await tx.selectFrom('queues').selectAll().where('id', '=', req.queueId).executeTakeFirst();
    if (!row) throw notFound(`no queue '${req.queueId}'`);
    const isAdmin = actor === null || actor.roles.includes('admin');
    if (!isAdmin && row.owner_id !== actor.id) throw forbidden(`only an admin or the owner of queue ${row.id} (${row.owner_id}) may change its policy`);
    if (req.ownerId !== undefined && req.ownerId !== row.owner_id) {
      const owner = await tx.selectFrom('users').select(['id', 'roles']).where('id', '=', req.ownerId).executeTakeFirst();
      if (!owner) throw badRequest(`owner '${req.ownerId}' is not a user`, [{ path: 'ownerId', message: 'unknown user' }]);
      if (!(JSON.parse(owner.roles) as string[]).includes('owner')) {
        throw badRequest(`'${req.ownerId}' does not have the owner role; a path's owner is a named user with that role`, [{ path: 'ownerId', message: 'not an owner' }]);
      }
    }
    const at = now.toISOString();
    const set: Partial<QueueRow> = { policy_updated_at: at, policy_updated_by: actor?.id ?? 'cli' };
    if (req.ownerId !== undefined) set.owner_id = req.ownerId;
    if (req.slaTargetMinutes !== undefined) set.sla_target_minutes = req.slaTargetMinutes;
    if (req.idleThresholdSec !== undefined) set.idle_threshold_sec = req.idleThresholdSec;
    if (req.deferCooldownMinutes !== undefined) set.defer_cooldown_minutes = req.deferCooldownMinutes;
    if (req.laborCost !== undefined) {
      set.labor_cost_per_hour = req.laborCost?.amountPerHour ?? null;
      set.labor_currency = req.laborCost?.currency ?? null;
    }
    if (req.rollbackTrigger !== undefined) set.rollback_trigger = req.rollbackTrigger ? JSON.stringify(req.rollbackTrigger) : null;
    await tx.updateTable('queues').set(set).where('id', '=', row.id).execute();
    const before = policyFromRow(row);
    const after = policyFromRow({ ...row, ...set });
    await tx.insertInto('ops_events').values({ type: 'queue_policy_changed', actor_id: actor?.id ?? 'cli', at, subject: row.id,
      payload: JSON.stringify({ before, after }) }).execute();
    return after;
  });
}
