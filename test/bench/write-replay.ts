// The "same writes" baseline of the server bench: a phase's effect on the server's database (the rows it
// inserted and the rows it changed, in every table, with every index and trigger the server has) is
// captured from two snapshots and replayed with raw prepared better-sqlite3 statements on a copy of the
// "before" snapshot, in as many transactions as the phase used HTTP requests, narrow rows inserted many to a
// statement as the server does. An update sets only the columns
// that changed, as the server's own UPDATEs do (setting every column, primary key included, made the baseline
// check foreign keys the server never touches, and pushed it below the server it is meant to bound). What the replay leaves out is
// exactly what the server adds on top of its writes: HTTP, JSON, validation, reads and decisions. The WAL is
// checkpointed as the running server does it: on a worker thread, after commits.
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { SQLITE_MULTI_ROW_MAX_COLUMNS, SQLITE_ROWS_PER_INSERT } from '../../server/db/prepared';
import { startWalCheckpointer } from '../../server/db/wal-checkpointer';

/** A consistent copy of a live WAL database (the server keeps running). */
export function snapshotDatabase(liveFile: string, outFile: string): void {
  const db = new Database(liveFile, { fileMustExist: true });
  try { db.prepare('VACUUM INTO ?').run(outFile); } finally { db.close(); }
}

/** An update sets only the columns that changed (as the server's UPDATE does): `changed` indexes into `columns`. */
interface RowUpdate { rowid: unknown; changed: number[]; values: unknown[] }
interface TableWrites { table: string; columns: string[]; inserts: unknown[][]; updates: RowUpdate[] }
export interface WritePlan { tables: TableWrites[]; rows: number }

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Rows past the before-snapshot's last rowid are inserts; rows with the same rowid and other values are updates. */
export function planWrites(beforeFile: string, afterFile: string): WritePlan {
  const db = new Database(afterFile, { readonly: true });
  try {
    db.prepare('ATTACH DATABASE ? AS before').run(beforeFile);
    const tables = (db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'")
      .all() as { name: string }[]).map((t) => t.name);
    const plan: WritePlan = { tables: [], rows: 0 };
    for (const table of tables) {
      const columns = (db.prepare(`PRAGMA main.table_info(${quote(table)})`).all() as { name: string }[]).map((c) => c.name);
      const cols = columns.map((c) => `a.${quote(c)}`).join(', ');
      const maxBefore = (db.prepare(`SELECT COALESCE(MAX(rowid), 0) AS m FROM before.${quote(table)}`).get() as { m: number }).m;
      const inserts = db.prepare(`SELECT a.rowid AS __rowid, ${cols} FROM main.${quote(table)} a WHERE a.rowid > ? ORDER BY a.rowid`)
        .raw().all(maxBefore) as unknown[][];
      const differs = columns.map((c) => `a.${quote(c)} IS NOT b.${quote(c)}`).join(' OR ');
      const flags = columns.map((c) => `a.${quote(c)} IS NOT b.${quote(c)}`).join(', ');
      const updates = (db.prepare(`SELECT a.rowid AS __rowid, ${cols}, ${flags} FROM main.${quote(table)} a JOIN before.${quote(table)} b ON a.rowid = b.rowid
        WHERE ${differs} ORDER BY a.rowid`).raw().all() as unknown[][]).map((r) => {
        const changed = columns.map((_, i) => i).filter((i) => r[1 + columns.length + i] === 1);
        return { rowid: r[0], changed, values: changed.map((i) => r[1 + i]) };
      });
      if (inserts.length || updates.length) plan.tables.push({ table, columns, inserts, updates });
      plan.rows += inserts.length + updates.length;
    }
    return plan;
  } finally {
    db.close();
  }
}

/**
 * Replays the plan on a copy of the before-snapshot with the server's pragmas and its way of checkpointing: wall
 * and CPU milliseconds. Like the server, the replay leaves its WAL checkpoints to a worker thread asked after each
 * commit (server/db/wal-checkpointer.ts), and turns the event loop between transactions so the worker's answers
 * arrive: with SQLite's auto-checkpoint inside its commits instead, the baseline would pay for I/O the server no
 * longer waits on, and the ratio would flatter the server.
 */
export async function replayWrites(beforeFile: string, workFile: string, plan: WritePlan, transactions: number): Promise<{ ms: number; cpuMs: number }> {
  copyFileSync(beforeFile, workFile);
  const db = new Database(workFile);
  let workerFailed: unknown = null;
  const checkpointer = startWalCheckpointer(db, workFile, (e) => { workerFailed = e; });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Narrow rows go SQLITE_ROWS_PER_INSERT to a statement, as the server's own inserts do (server/db/prepared.ts):
    // the baseline must not lose to the server for using a slower way of writing the same rows.
    const tuple = (t: TableWrites) => `(${['?', ...t.columns.map(() => '?')].join(', ')})`;
    const insertText = (t: TableWrites, rows: number) =>
      `INSERT INTO ${quote(t.table)} (rowid, ${t.columns.map(quote).join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple(t)).join(', ')}`;
    const stmts = plan.tables.map((t) => ({
      t,
      insert: db.prepare(insertText(t, 1)),
      multiInsert: t.columns.length <= SQLITE_MULTI_ROW_MAX_COLUMNS ? db.prepare(insertText(t, SQLITE_ROWS_PER_INSERT)) : null,
      // One statement per set of changed columns: the same rows and columns the server's UPDATEs wrote.
      updates: new Map<string, Database.Statement>(),
    }));
    const updateFor = (s: (typeof stmts)[number], changed: number[]) => {
      const key = changed.join(',');
      let stmt = s.updates.get(key);
      if (!stmt) {
        stmt = db.prepare(`UPDATE ${quote(s.t.table)} SET ${changed.map((i) => `${quote(s.t.columns[i])} = ?`).join(', ')} WHERE rowid = ?`);
        s.updates.set(key, stmt);
      }
      return stmt;
    };
    // A table with fewer rows than transactions (the new client rows, which others' rows refer to) lands whole in
    // the first: spread, a later desk's client row would come after its first mutations and fail the foreign key.
    const slice = <T>(rows: T[], k: number) => rows.length < transactions
      ? (k === 0 ? rows : [])
      : rows.slice(Math.ceil((rows.length * k) / transactions), Math.ceil((rows.length * (k + 1)) / transactions));
    const apply = db.transaction((k: number) => {
      for (const s of stmts) {
        for (const u of slice(s.t.updates, k)) updateFor(s, u.changed).run(...u.values, u.rowid);
        const rows = slice(s.t.inserts, k);
        let i = 0;
        if (s.multiInsert) for (; i + SQLITE_ROWS_PER_INSERT <= rows.length; i += SQLITE_ROWS_PER_INSERT) s.multiInsert.run(rows.slice(i, i + SQLITE_ROWS_PER_INSERT).flat());
        for (; i < rows.length; i++) s.insert.run(...rows[i]);
      }
    });
    // The server's worker has long been running when a phase starts: this one starts (and raises the main
    // connection's auto-checkpoint ceiling) before the clock does.
    checkpointer.committed();
    await sleep(200);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let k = 0; k < transactions; k++) {
      apply(k);
      checkpointer.committed();
      await turn();
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (workerFailed) throw new Error(`replay: the WAL checkpoint worker failed, so the baseline did not checkpoint as the server does: ${String(workerFailed)}`);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await checkpointer.close();
    db.close();
  }
}
