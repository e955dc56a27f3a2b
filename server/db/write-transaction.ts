// Write transactions for read-then-write work (claim, push, assignment, sweep, ingest, seed).
//
// SQLite: take the write lock up front (BEGIN IMMEDIATE). Kysely's own transaction() issues a plain BEGIN
// (deferred): a read-then-write transaction would then upgrade its lock at the first write and can fail with
// SQLITE_BUSY without waiting on busy_timeout when another process writes the same file. Taking the lock
// first makes claim and push serialise cleanly across processes. Within one process Kysely's
// single-connection mutex already serialises them.
//
// PostgreSQL: READ COMMITTED plus explicit row locks (dialect.ts lockRows: FOR UPDATE, SKIP LOCKED for
// claims) and the commit-order lock for the cursor logs. Serialization failures, deadlocks and a unique key
// taken by a concurrent writer roll the transaction back and run it again from the start, a bounded number
// of times with jittered exponential backoff; then the error goes up and the request answers 503.
import { sql } from 'kysely';
import type { Db } from './connection';
import { dialectOf, PG_RETRYABLE, PG_UNIQUE_VIOLATION, pgErrorCode } from './dialect';
import { withHeldConnection } from './prepared';

export const MAX_TRANSACTION_ATTEMPTS = 6;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Full-jitter backoff: 0..(10 ms · 2^attempt), capped at 200 ms. */
export const retryDelayMs = (attempt: number) => Math.random() * Math.min(200, 10 * 2 ** attempt);

export function isRetryableTxError(err: unknown): boolean {
  const code = pgErrorCode(err);
  return code !== undefined && (PG_RETRYABLE.has(code) || code === PG_UNIQUE_VIOLATION);
}

/**
 * The handles writeTransaction gave out, while their transaction is open. A service called with one of them
 * (the demo seed drives claim, push, corrections and rollbacks inside its one transaction) joins that
 * transaction instead of opening another: the outer caller owns commit, rollback and retries.
 */
const openTransactions = new WeakSet<Db>();

async function joinable<T>(tx: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  openTransactions.add(tx);
  try {
    return await fn(tx);
  } finally {
    openTransactions.delete(tx);
  }
}

/** What runs after a SQLite write transaction commits (wal-checkpointer.ts), by Kysely adapter (a transaction's shares its database's). */
const afterCommit = new WeakMap<object, () => void>();

/** Called once by openDatabase: `fn` runs after each write transaction on `db` commits. */
export function onSqliteCommit(db: Db, fn: () => void): void {
  afterCommit.set(db.getExecutor().adapter, fn);
}

export async function writeTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  if (openTransactions.has(db)) return fn(db);
  if (dialectOf(db) === 'postgres') {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute((tx) => joinable(tx, fn));
      } catch (err) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryableTxError(err)) throw err;
        await sleep(retryDelayMs(attempt));
      }
    }
  }
  return db.connection().execute(async (conn) => {
    await sql`BEGIN IMMEDIATE`.execute(conn);
    try {
      const result = await withHeldConnection(conn, () => joinable(conn, fn));
      await sql`COMMIT`.execute(conn);
      afterCommit.get(conn.getExecutor().adapter)?.();
      return result;
    } catch (err) {
      await sql`ROLLBACK`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}

/**
 * A read-only transaction that sees one consistent state: pull reads the log's top position and then the
 * rows below it, and both must come from the same snapshot (REPEATABLE READ on PostgreSQL; on SQLite a
 * read transaction is already a snapshot).
 */
export async function readTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  if (dialectOf(db) === 'postgres') return db.transaction().setIsolationLevel('repeatable read').execute(fn);
  // The transaction holds the one connection: reads written for SQLite (prepared.ts selectOnSqlite) may run on it.
  return db.transaction().execute((tx) => withHeldConnection(tx, () => fn(tx)));
}
