// The hot paths' statements (ingest, push, claim: issue 15 gap 5) without Kysely's per-call query
// building on SQLite. The services still say what to write, once, for both databases; these helpers only
// choose how a row reaches the database: on SQLite a cached better-sqlite3 prepared statement run on the
// same connection (so inside the caller's transaction), on PostgreSQL the Kysely query it always was.
// Everything else stays on Kysely.
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from './connection';
import type { Database } from './schema';

/** What runs a statement text with positional parameters: the SQLite connection's statement cache. */
export interface PreparingConnection {
  prepare(sqlText: string): {
    run(...params: unknown[]): { changes: number; lastInsertRowid?: number | bigint };
    get(...params: unknown[]): unknown;
  };
}

// Keyed by the Kysely adapter: a transaction's Kysely instance (db.connection(), db.transaction()) shares its
// database's adapter, so the statements run on the one connection the transaction holds.
const preparing = new WeakMap<object, PreparingConnection>();
// Only while a write transaction holds the connection (write-transaction.ts): a statement run on the
// connection outside it would bypass Kysely's connection mutex and land in whatever transaction another
// request has open on it. Anywhere else the helpers take the Kysely path.
const holding = new WeakSet<Db>();

/** Called once by openDatabase for a SQLite database. */
export function usePreparedStatements(db: Db, conn: PreparingConnection): void {
  preparing.set(db.getExecutor().adapter, conn);
}

/** Runs fn with prepared statements allowed on `conn`, a Kysely bound to a connection it holds in a transaction. */
export async function withHeldConnection<T>(conn: Db, fn: () => Promise<T>): Promise<T> {
  holding.add(conn);
  try {
    return await fn();
  } finally {
    holding.delete(conn);
  }
}

const connectionOf = (tx: Db) => (holding.has(tx) ? (preparing.get(tx.getExecutor().adapter) ?? null) : null);

type Table = keyof Database;
type Where = Record<string, string | number | null>;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const definedKeys = (row: object) => Object.keys(row).filter((k) => (row as Record<string, unknown>)[k] !== undefined);
/** `a = ? AND b IS NULL ...` and its parameters (null matches IS NULL, as Kysely's `is` does). */
function whereClause(where: Where): { text: string; params: unknown[] } {
  const keys = Object.keys(where);
  return {
    text: keys.map((k) => (where[k] === null ? `${q(k)} IS NULL` : `${q(k)} = ?`)).join(' AND '),
    params: keys.filter((k) => where[k] !== null).map((k) => where[k]),
  };
}

/** Inserts rows (one statement per row on SQLite; multi-row statements of 200 on PostgreSQL). */
export async function insertRows<T extends Table>(tx: Db, table: T, rows: Insertable<Database[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const conn = connectionOf(tx);
  if (!conn) {
    // 26 columns a row at most: 200 rows stay far below either database's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 200) await tx.insertInto(table).values(rows.slice(i, i + 200) as never).execute();
    return;
  }
  for (const row of rows) {
    const keys = definedKeys(row);
    const stmt = conn.prepare(`INSERT INTO ${q(table)} (${keys.map(q).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`);
    stmt.run(...keys.map((k) => (row as Record<string, unknown>)[k]));
  }
}

/** insertRows for a table keyed by an integer identity: the keys the rows got, in the rows' order. */
export async function insertRowsReturningKeys<T extends Table>(tx: Db, table: T, rows: Insertable<Database[T]>[], key: string): Promise<number[]> {
  if (rows.length === 0) return [];
  const conn = connectionOf(tx);
  const keys: number[] = [];
  if (!conn) {
    // RETURNING gives the rows in VALUES order (PostgreSQL, and SQLite for a plain INSERT … VALUES).
    for (let i = 0; i < rows.length; i += 200) {
      const got = await tx.insertInto(table).values(rows.slice(i, i + 200) as never).returning(key as never).execute() as Record<string, unknown>[];
      keys.push(...got.map((r) => Number(r[key])));
    }
    return keys;
  }
  for (const row of rows) {
    const cols = definedKeys(row);
    const stmt = conn.prepare(`INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    keys.push(Number(stmt.run(...cols.map((k) => (row as Record<string, unknown>)[k])).lastInsertRowid));
  }
  return keys;
}

/** The one row matching `where` (every column), or undefined. */
export async function selectRow<T extends Table>(tx: Db, table: T, where: Where): Promise<Selectable<Database[T]> | undefined> {
  const conn = connectionOf(tx);
  if (!conn) {
    let query = tx.selectFrom(table as Table).selectAll();
    for (const [k, v] of Object.entries(where)) query = (v === null ? query.where(k as never, 'is', null) : query.where(k as never, '=', v as never)) as typeof query;
    return (await query.executeTakeFirst()) as Selectable<Database[T]> | undefined;
  }
  const w = whereClause(where);
  return conn.prepare(`SELECT * FROM ${q(table)} WHERE ${w.text}`).get(...w.params) as Selectable<Database[T]> | undefined;
}

/** Sets columns on the rows matching `where`; returns how many rows changed. */
export async function updateRows<T extends Table>(tx: Db, table: T, set: Updateable<Database[T]>, where: Where): Promise<number> {
  const conn = connectionOf(tx);
  if (!conn) {
    let query = tx.updateTable(table as Table).set(set as never);
    for (const [k, v] of Object.entries(where)) query = (v === null ? query.where(k as never, 'is', null) : query.where(k as never, '=', v as never)) as typeof query;
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
  const keys = definedKeys(set);
  const w = whereClause(where);
  const stmt = conn.prepare(`UPDATE ${q(table)} SET ${keys.map((k) => `${q(k)} = ?`).join(', ')} WHERE ${w.text}`);
  return stmt.run(...keys.map((k) => (set as Record<string, unknown>)[k]), ...w.params).changes;
}
