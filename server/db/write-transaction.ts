// A write transaction that takes SQLite's write lock up front (BEGIN IMMEDIATE). Kysely's own
// transaction() issues a plain BEGIN (deferred): a read-then-write transaction would then upgrade its lock
// at the first write and can fail with SQLITE_BUSY without waiting on busy_timeout when another process
// writes the same file. Taking the lock first makes claim and push serialise cleanly across processes.
// Within one process Kysely's single-connection mutex already serialises them.
// PostgreSQL: db.transaction() plus SELECT ... FOR UPDATE (SKIP LOCKED for claims).
import { sql } from 'kysely';
import type { Db } from './connection';


export async function writeTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`BEGIN IMMEDIATE`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`COMMIT`.execute(conn);
      return result;
    } catch (err) {
      await sql`ROLLBACK`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}
