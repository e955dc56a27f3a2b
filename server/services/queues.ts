// Queues: one workflow, stage and class, one named owner, an SLA target and reason codes.
import { Queue } from '../../shared/domain';
import type { Db } from '../db/connection';
import { queueFromRow } from '../db/rows';

export async function listQueues(db: Db): Promise<Queue[]> {
  const rows = await db.selectFrom('queues')
    .innerJoin('users', 'users.id', 'queues.owner_id')
    .selectAll('queues').select('users.name as owner_name')
    .orderBy('queues.id').execute();
  return rows.map((r) => queueFromRow(r, r.owner_name));
}

export async function queueMap(db: Db): Promise<Map<string, Queue>> {
  return new Map((await listQueues(db)).map((q) => [q.id, q]));
}

export const hasReasonCode = (q: Queue, code: string) => q.reasonCodes.some((r) => r.code === code);

/** Adds or replaces a queue (CLI, seed and tests; there is no HTTP endpoint for it in v1). */
export async function upsertQueue(db: Db, input: Queue, now: Date): Promise<void> {
  const q = Queue.parse(input);
  const owner = await db.selectFrom('users').select('id').where('id', '=', q.ownerId).executeTakeFirst();
  if (!owner) throw new Error(`queue ${q.id}: owner '${q.ownerId}' is not a user`);
  const row = {
    id: q.id, name: q.name, workflow: q.workflow, stage: q.stage, exception_class: q.exceptionClass,
    owner_id: q.ownerId, sla_target_minutes: q.slaTargetMinutes, idle_threshold_sec: q.idleThresholdSec,
    reason_codes: JSON.stringify(q.reasonCodes), created_at: now.toISOString(),
    // Left out when the queue sets none, so re-seeding keeps a cooldown set through the queue policy.
    ...(q.deferCooldownMinutes !== undefined ? { defer_cooldown_minutes: q.deferCooldownMinutes } : {}),
  };
  await db.insertInto('queues').values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, created_at: undefined })).execute();
}
