// What every service gets: the database, the clock and the logger. The clock is injectable so tests can
// expire leases without sleeping.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/connection';
import type { BackgroundTasks } from './background-tasks';

export interface FaultHooks {
  /** Called inside the push transaction just before commit; throwing rolls the whole batch back. */
  beforePushCommit?: () => void;
}

export interface ServerContext {
  db: Db;
  dbId: string;
  now: () => Date;
  log: FastifyBaseLogger;
  faults: FaultHooks;
  /** Null while this node should get traffic; else why not (draining before shutdown). For GET /v1/ready. */
  notReadyReason?: () => string | null;
  /** Items one user may hold leased at once (default MAX_LEASED_PER_USER; benches raise it). */
  maxLeasedPerUser?: number;
  /** Minutes a deferred item is not claimed again by whoever deferred it (default DEFER_COOLDOWN_MINUTES). */
  deferCooldownMinutes?: number;
  /** Work that outlives its request (rollback batches); stopped and awaited when the server closes. */
  tasks?: BackgroundTasks;
}

export interface AuthUser { id: string; name: string; roles: string[] }

export const isoNow = (ctx: Pick<ServerContext, 'now'>) => ctx.now().toISOString();
export const addMinutes = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);
