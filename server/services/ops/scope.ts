// Who sees which paths of the operations data: supervisors and admins every queue, an owner the queues
// they own, anyone else nothing (DESIGN §8). Every ops endpoint asks this first.
import type { Db } from '../../db/connection';
import type { QueueRow } from '../../db/schema';
import { forbidden } from '../../problem';
import type { AuthUser } from '../context';

export interface OpsScope {
  /** Supervisor or admin: every queue. */
  all: boolean;
  /** The queues this user may see figures of and act on. */
  queueIds: Set<string>;
}

export const seesEverything = (user: AuthUser) => user.roles.includes('supervisor') || user.roles.includes('admin');

export async function opsScope(db: Db, user: AuthUser): Promise<OpsScope> {
  if (seesEverything(user)) {
    return { all: true, queueIds: new Set((await db.selectFrom('queues').select('id').execute()).map((q) => q.id)) };
  }
  if (!user.roles.includes('owner')) throw forbidden('exception operations data is for supervisors, admins and path owners');
  const owned = await db.selectFrom('queues').select('id').where('owner_id', '=', user.id).execute();
  return { all: false, queueIds: new Set(owned.map((q) => q.id)) };
}

/** Narrows the scope to the asked queue / workflow; a queue outside the caller's paths is a 403, not an empty answer. */
export function requireQueues(scope: OpsScope, queueIds: readonly string[], what: string): void {
  const outside = queueIds.filter((id) => !scope.queueIds.has(id));
  if (outside.length > 0) throw forbidden(`${what}: queue(s) ${outside.join(', ')} are not among the paths you own`);
}

/** What an ops read asks for: one queue, one workflow, or a set the caller narrowed to (the weekly pack: one owner's paths). */
export interface QueueFilter { queueId?: string; workflow?: string; onlyQueueIds?: ReadonlySet<string> }

/**
 * The queues an ops read covers, in id order: the caller's, narrowed to the asked queue, workflow and set. A queue
 * asked outside the caller's paths is a 403 (requireQueues). Metrics, signals and the scorecard all start here, so
 * the three cannot disagree on which paths a figure is of.
 */
export async function queuesInScope(db: Db, user: AuthUser, q: QueueFilter, what: string): Promise<QueueRow[]> {
  const scope = await opsScope(db, user);
  if (q.queueId) requireQueues(scope, [q.queueId], what);
  const rows = await db.selectFrom('queues').selectAll().orderBy('id').execute();
  return rows.filter((r) => scope.queueIds.has(r.id) && (!q.onlyQueueIds || q.onlyQueueIds.has(r.id))
    && (!q.queueId || r.id === q.queueId) && (!q.workflow || r.workflow === q.workflow));
}
