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
    all(...params: unknown[]): unknown[];
  };
}

// Keyed by the Kysely adapter: a transaction's Kysely instance (db.connection(), db.transaction()) shares its
// database's adapter, so the statements run on the one connection the transaction holds.
const preparing = new WeakMap<object, PreparingConnection>();
// Only while a transaction holds the connection (write-transaction.ts): a statement run on the
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
type Row = Record<string, unknown>;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const definedKeys = (row: object) => Object.keys(row).filter((k) => (row as Row)[k] !== undefined);

/**
 * Statement texts by shape (table, columns, rows per statement), built once: a hot path asks for the same few
 * shapes thousands of times, and building the text (quoting every column) cost more than running it.
 */
const texts = new Map<string, string>();
/** Keeps `text` as the statement of `shape`; callers write `texts.get(shape) ?? remember(shape, build…)`, no closure per call. */
function remember(shape: string, text: string): string {
  if (texts.size >= 2000) texts.clear();
  texts.set(shape, text);
  return text;
}

/** The shape of `where` (which keys, which of them null) and its parameters; null matches IS NULL, as Kysely's `is` does. */
function whereClause(where: Where): { shape: string; params: unknown[] } {
  const params: unknown[] = [];
  let shape = '';
  for (const k in where) {
    if (where[k] === null) shape += `${k} null,`;
    else { shape += `${k},`; params.push(where[k]); }
  }
  return { shape, params };
}
/** `a = ? AND b IS NULL ...` */
const whereText = (where: Where) => Object.keys(where).map((k) => (where[k] === null ? `${q(k)} IS NULL` : `${q(k)} = ?`)).join(' AND ');

/**
 * Multi-row INSERTs on SQLite, for narrow rows only: one statement carries SQLITE_ROWS_PER_INSERT rows, so the
 * per-statement cost (the binding call, starting the VM, seeking the index cursors) is paid once per chunk.
 * Measured on the push path (events, decisions, change log, results: 6 to 10 columns) it cut the server's CPU
 * by about a seventh; for wide rows (an item: 26 columns) binding dominates and one row per statement was as
 * fast or faster, so rows wider than SQLITE_MULTI_ROW_MAX_COLUMNS go one per statement. A batch's tail shorter
 * than a chunk also goes one row per statement (a small, fixed set of statement texts).
 */
export const SQLITE_ROWS_PER_INSERT = 64;
export const SQLITE_MULTI_ROW_MAX_COLUMNS = 12;

/** The clause after VALUES: `ON CONFLICT … DO UPDATE …` (upsertRows), or nothing. */
type InsertTail = { conflict: string; update: readonly string[] } | null;

function insertText(table: Table, keys: string[], rows: number, tail: InsertTail): string {
  const tuple = `(${keys.map(() => '?').join(', ')})`;
  return `INSERT INTO ${q(table)} (${keys.map(q).join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}` +
    (tail === null ? '' : ` ON CONFLICT (${q(tail.conflict)}) DO UPDATE SET ${tail.update.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`);
}
const tailShape = (tail: InsertTail) => (tail === null ? '' : `upsert ${tail.conflict} ${tail.update.join(',')}`);

/** Does `row` define exactly `keys` (in any order)? */
function hasShape(row: Row, keys: string[]): boolean {
  let n = 0;
  for (const k in row) if (row[k] !== undefined) n++;
  if (n !== keys.length) return false;
  for (const k of keys) if (row[k] === undefined) return false;
  return true;
}

/**
 * Runs the inserts of `rows` on SQLite, in the rows' order: consecutive narrow rows of one shape go
 * SQLITE_ROWS_PER_INSERT to a statement. `each` gets every statement run and the rows it inserted.
 */
function insertOnSqlite(conn: PreparingConnection, table: Table, rows: Row[], tail: InsertTail,
  each: (result: { lastInsertRowid?: number | bigint }, count: number) => void): void {
  let i = 0;
  while (i < rows.length) {
    const keys = definedKeys(rows[i]);
    let end = i + 1;
    while (end < rows.length && hasShape(rows[end], keys)) end++;
    const cols = keys.join(',');
    const multiRow = keys.length <= SQLITE_MULTI_ROW_MAX_COLUMNS;
    for (; i < end; ) {
      const count = multiRow && end - i >= SQLITE_ROWS_PER_INSERT ? SQLITE_ROWS_PER_INSERT : 1;
      const shape = `insert ${table} ${count} ${tailShape(tail)} ${cols}`;
      const text = texts.get(shape) ?? remember(shape, insertText(table, keys, count, tail));
      const params: unknown[] = new Array(count * keys.length);
      let p = 0;
      for (let r = i; r < i + count; r++) {
        const row = rows[r];
        for (const k of keys) params[p++] = row[k];
      }
      const stmt = conn.prepare(text);
      each(stmt.run(...params), count);
      i += count;
    }
  }
}

/** Inserts rows (multi-row statements: narrow rows SQLITE_ROWS_PER_INSERT at a time on SQLite, 200 on PostgreSQL). */
export async function insertRows<T extends Table>(tx: Db, table: T, rows: Insertable<Database[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const conn = connectionOf(tx);
  if (!conn) {
    // 26 columns a row at most: 200 rows stay far below either database's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 200) await tx.insertInto(table).values(rows.slice(i, i + 200) as never).execute();
    return;
  }
  insertOnSqlite(conn, table, rows as Row[], null, () => undefined);
}

/**
 * Inserts rows, or for a row whose `conflict` key exists sets `update` from the row (ON CONFLICT … DO UPDATE SET
 * c = excluded.c, on both databases). Rows must not repeat a key (PostgreSQL refuses that within one statement).
 */
export async function upsertRows<T extends Table>(tx: Db, table: T, rows: Insertable<Database[T]>[], conflict: string, update: readonly string[]): Promise<void> {
  if (rows.length === 0) return;
  const conn = connectionOf(tx);
  if (!conn) {
    for (let i = 0; i < rows.length; i += 200) {
      await tx.insertInto(table).values(rows.slice(i, i + 200) as never)
        .onConflict((oc) => oc.column(conflict as never).doUpdateSet((eb) => Object.fromEntries(update.map((c) => [c, eb.ref(`excluded.${c}` as never)])) as never))
        .execute();
    }
    return;
  }
  insertOnSqlite(conn, table, rows as Row[], { conflict, update }, () => undefined);
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
  // The key is an INTEGER PRIMARY KEY AUTOINCREMENT (db/dialect.ts identityColumn): SQLite hands each new row one
  // more than the largest key the table ever held, row by row in VALUES order, and this transaction holds the
  // write lock, so a statement's rows got the keys up to its lastInsertRowid. Cheaper than RETURNING, which
  // built a result row object per inserted row (measured on ingest: two events an item).
  insertOnSqlite(conn, table, rows as Row[], null, (result, count) => {
    const last = Number(result.lastInsertRowid);
    for (let k = last - count + 1; k <= last; k++) keys.push(k);
  });
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
  const shape = `select ${table} ${w.shape}`;
  const text = texts.get(shape) ?? remember(shape, `SELECT * FROM ${q(table)} WHERE ${whereText(where)}`);
  return conn.prepare(text).get(...w.params) as Selectable<Database[T]> | undefined;
}

/**
 * Every row whose `column` is one of `values` (`columns`, or every column), in one statement on SQLite (the values as one
 * JSON array parameter, so one statement text serves every batch size), in IN-lists of 500 on PostgreSQL.
 */
export async function selectRowsIn<T extends Table>(tx: Db, table: T, column: string, values: readonly (string | number)[],
  columns: readonly string[] | null = null): Promise<Selectable<Database[T]>[]> {
  if (values.length === 0) return [];
  const conn = connectionOf(tx);
  if (!conn) {
    const out: Selectable<Database[T]>[] = [];
    for (let i = 0; i < values.length; i += 500) {
      const query = tx.selectFrom(table as Table).where(column as never, 'in', values.slice(i, i + 500) as never);
      out.push(...await (columns ? query.select(columns as never) : query.selectAll()).execute() as Selectable<Database[T]>[]);
    }
    return out;
  }
  const shape = `select-in ${table} ${column} ${columns?.join(',') ?? '*'}`;
  const text = texts.get(shape)
    ?? remember(shape, `SELECT ${columns ? columns.map(q).join(', ') : '*'} FROM ${q(table)} WHERE ${q(column)} IN (SELECT value FROM json_each(?))`);
  return conn.prepare(text).all(JSON.stringify(values)) as Selectable<Database[T]>[];
}

/**
 * The rows of a read written for SQLite alone (one the database answers much more cheaply than Kysely's
 * portable query would, e.g. a pull page whose item JSON the database writes), run from the statement cache on
 * the connection the caller's transaction holds. Null on PostgreSQL, or outside a transaction: the caller then
 * takes its portable path, which must answer the same (each such read has a test comparing the two).
 */
export function selectOnSqlite<R>(tx: Db, sqlText: string, params: readonly unknown[]): R[] | null {
  const conn = connectionOf(tx);
  return conn ? conn.prepare(sqlText).all(...params) as R[] : null;
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
  const shape = `update ${table} ${keys.join(',')} ${w.shape}`;
  const text = texts.get(shape) ?? remember(shape, `UPDATE ${q(table)} SET ${keys.map((k) => `${q(k)} = ?`).join(', ')} WHERE ${whereText(where)}`);
  const params = keys.map((k) => (set as Row)[k]);
  for (const p of w.params) params.push(p);
  return conn.prepare(text).run(...params).changes;
}

/** One row's update in updateRowsInStorageOrder: the row's `key` value and the columns to set. */
export interface KeyedUpdate<T extends Table> { key: string; set: Updateable<Database[T]> }

/**
 * Updates rows named by a text key, each with its own SET, in the table's storage order: on SQLite by rowid
 * (looked up in one statement), so a batch whose rows arrive in random key order (a push decides items in the
 * client's order, and item ids are random) writes each table page once and dirties no more pages than it
 * must; every page dirtied is written again at commit. Measured on a 500-decision push: the item updates in
 * client order cost ~1.5-2x the same updates in rowid order, commit included. On PostgreSQL: in key order (the
 * order its row locks were taken), each its own UPDATE.
 */
export async function updateRowsInStorageOrder<T extends Table>(tx: Db, table: T, key: string, updates: readonly KeyedUpdate<T>[]): Promise<void> {
  if (updates.length === 0) return;
  const conn = connectionOf(tx);
  if (!conn) {
    for (const u of [...updates].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      if (definedKeys(u.set).length > 0) await updateRows(tx, table, u.set, { [key]: u.key });
    }
    return;
  }
  const shape = `rowids ${table} ${key}`;
  const text = texts.get(shape) ?? remember(shape, `SELECT rowid AS r, ${q(key)} AS k FROM ${q(table)} WHERE ${q(key)} IN (SELECT value FROM json_each(?))`);
  const rowids = new Map<string, number>();
  for (const r of conn.prepare(text).all(JSON.stringify(updates.map((u) => u.key))) as { r: number; k: string }[]) rowids.set(r.k, r.r);
  const ordered = updates.filter((u) => rowids.has(u.key)).sort((a, b) => rowids.get(a.key)! - rowids.get(b.key)!);
  for (const u of ordered) {
    const keys = definedKeys(u.set);
    if (keys.length === 0) continue;
    const setShape = `update-rowid ${table} ${keys.join(',')}`;
    const setText = texts.get(setShape) ?? remember(setShape, `UPDATE ${q(table)} SET ${keys.map((k) => `${q(k)} = ?`).join(', ')} WHERE rowid = ?`);
    const params = keys.map((k) => (u.set as Row)[k]);
    params.push(rowids.get(u.key));
    conn.prepare(setText).run(...params);
  }
}
