// Every difference between the two databases the server runs on, in one place: SQLite (one file, one
// process at a time holding the write lock) and PostgreSQL (many stateless API nodes on one database).
// Services speak Kysely and call these helpers where the two differ; nothing else branches on the dialect.
import { PostgresAdapter, sql, type CreateTableBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';

export type DbKind = 'sqlite' | 'postgres';

/** `postgres://…` / `postgresql://…` selects PostgreSQL; anything else is a SQLite file path. */
export const isPostgresUrl = (target: string) => /^postgres(ql)?:\/\//i.test(target);

/** The dialect of a Kysely instance (or a transaction of one), read from its adapter. */
export function dialectOf(db: { getExecutor(): { adapter: unknown } }): DbKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Row locks for read-then-write transactions. SQLite has none and needs none: writeTransaction holds the
 * whole database's write lock. PostgreSQL: FOR UPDATE holds the rows until commit; with `skipLocked` a
 * concurrent claimer takes the next free rows instead of waiting for (and then re-checking) these.
 */
export function lockRows<QB extends SelectQueryBuilder<never, never, unknown>>(qb: QB, kind: DbKind, opts: { skipLocked?: boolean } = {}): QB {
  if (kind !== 'postgres') return qb;
  const locked = qb.forUpdate();
  return (opts.skipLocked ? locked.skipLocked() : locked) as QB;
}

/**
 * Commit order for the logs clients page through with a cursor (change_log.pos, decisions.seq). A sequence
 * hands out numbers at insert time, and two transactions can commit in the other order: a reader that saw
 * 12 but not the still-running 11 would move its cursor past 11 for ever. So on PostgreSQL every writer of
 * those logs takes one transaction-level advisory lock before its first insert and keeps it until commit
 * (PostgreSQL makes the commit visible before it releases the lock): positions are handed out one
 * transaction at a time, in commit order, and a reader never sees a position above one still uncommitted.
 * Re-entrant within a transaction. SQLite: the write lock already serialises every writer.
 */
export const COMMIT_ORDER_LOCK_KEY = 0x0de5_c0de;
export async function takeCommitOrderLock(tx: { getExecutor(): { adapter: unknown } }): Promise<void> {
  if (dialectOf(tx) !== 'postgres') return;
  await sql`SELECT pg_advisory_xact_lock(${COMMIT_ORDER_LOCK_KEY})`.execute(tx as unknown as Kysely<unknown>);
}

/**
 * The per-reviewer lease cap (MAX_LEASED_PER_USER) counts a user's leased items and then adds to them: two
 * claims (or a claim and an assignment) for one user on two nodes would both count under the cap and both
 * lease. So every transaction that adds leases to a user first takes this transaction-level advisory lock on
 * the user (two-int key space: the lock class and the hash of the user id; a hash collision only serialises
 * two users' claims, it never lets one through). Taken before any item lock or the commit-order lock, so
 * the lock order stays one way. SQLite: the write lock already serialises every writer.
 */
export const LEASE_CAP_LOCK_CLASS = 0x1ea5;
export async function takeLeaseCapLock(tx: { getExecutor(): { adapter: unknown } }, userId: string): Promise<void> {
  if (dialectOf(tx) !== 'postgres') return;
  await sql`SELECT pg_advisory_xact_lock(${LEASE_CAP_LOCK_CLASS}, hashtext(${userId}))`.execute(tx as unknown as Kysely<unknown>);
}

/**
 * Decisions recorded "unless the latest one already says the same" (a signal's accept / dismiss, a week marked
 * reviewed) read the latest ops event of a subject and then append: two identical requests on two
 * connections would both read "nothing yet" and both append. So such a transaction first takes this
 * transaction-level advisory lock on the subject (lock class + hash of the subject; a collision only
 * serialises two subjects). SQLite: the write lock already serialises every writer.
 */
export const OPS_SUBJECT_LOCK_CLASS = 0x0b5e;
export async function takeOpsSubjectLock(tx: { getExecutor(): { adapter: unknown } }, subject: string): Promise<void> {
  if (dialectOf(tx) !== 'postgres') return;
  await sql`SELECT pg_advisory_xact_lock(${OPS_SUBJECT_LOCK_CLASS}, hashtext(${subject}))`.execute(tx as unknown as Kysely<unknown>);
}

/** SQLSTATEs of transient PostgreSQL failures: retrying the whole transaction can succeed. */
export const PG_RETRYABLE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
]);
/**
 * A unique violation raised by a concurrent writer of the same key (two nodes ingesting one externalId,
 * creating one client row): after a retry the transaction reads the winner's row and takes the other path.
 */
export const PG_UNIQUE_VIOLATION = '23505';

/** PostgreSQL failures that mean "the database is unavailable right now" (503 + Retry-After, nothing applied). */
export function isTransientPgError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // pg's Pool: no free connection within connectionTimeoutMillis (every connection busy under load).
  if (err instanceof Error && /timeout exceeded when trying to connect|Connection terminated/i.test(err.message)) return true;
  if (typeof code !== 'string') return false;
  return PG_RETRYABLE.has(code) || /^(08|53|57P0)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code);
}

export function pgErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

// ---- schema (migrations) ----

/**
 * An ever-growing integer key for the append-only logs. SQLite: INTEGER PRIMARY KEY AUTOINCREMENT (never
 * reuses a number). PostgreSQL: bigint GENERATED BY DEFAULT AS IDENTITY ("by default" so the migrate command
 * can copy a SQLite database's numbers as they are, then move the sequence past them).
 */
export function identityColumn(kind: DbKind, name: string) {
  return <T extends CreateTableBuilder<string, never>>(t: T): T => (kind === 'postgres'
    ? t.addColumn(name, 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : t.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement())) as T;
}

/** A double: SQLite's REAL is 8 bytes, PostgreSQL's `real` only 4. */
export const floatType = (kind: DbKind) => (kind === 'postgres' ? 'double precision' : 'real');

/** Refuse UPDATE and DELETE on a table, in the database itself. */
export async function appendOnlyTriggers(db: Kysely<unknown>, table: string): Promise<void> {
  const t = sql.id(table);
  const message = sql.lit(`${table} is append-only`);
  if (dialectOf(db) === 'postgres') {
    const fn = sql.id(`${table}_append_only`);
    await sql`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION ${message}; END $$`.execute(db);
    await sql`CREATE TRIGGER ${sql.id(`${table}_no_update_delete`)} BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}()`.execute(db);
    return;
  }
  await sql`CREATE TRIGGER ${sql.id(`${table}_no_update`)} BEFORE UPDATE ON ${t} BEGIN SELECT RAISE(ABORT, ${message}); END`.execute(db);
  await sql`CREATE TRIGGER ${sql.id(`${table}_no_delete`)} BEFORE DELETE ON ${t} BEGIN SELECT RAISE(ABORT, ${message}); END`.execute(db);
}
