// Who sees which paths of the operations data: supervisors and admins every queue, an owner the queues
// they own, anyone else nothing (DESIGN §8). Every ops endpoint asks this first.
import type { Db } from '../../db/connection';
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
