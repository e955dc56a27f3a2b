// The "same writes" baseline of the server bench: a phase's effect on the server's database (the rows it
// inserted and the rows it changed, in every table, with every index and trigger the server has) is
// captured from two snapshots and replayed with raw prepared better-sqlite3 statements on a copy of the
// "before" snapshot, in as many transactions as the phase used HTTP requests. What the replay leaves out is
// exactly what the server adds on top of its writes: HTTP, JSON, validation, reads and decisions.
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** A consistent copy of a live WAL database (the server keeps running). */
export function snapshotDatabase(liveFile: string, outFile: string): void {
  const db = new Database(liveFile, { fileMustExist: true });
  try { db.prepare('VACUUM INTO ?').run(outFile); } finally { db.close(); }
}

interface TableWrites { table: string; columns: string[]; inserts: unknown[][]; updates: unknown[][] }
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
      const updates = db.prepare(`SELECT a.rowid AS __rowid, ${cols} FROM main.${quote(table)} a JOIN before.${quote(table)} b ON a.rowid = b.rowid
        WHERE ${differs} ORDER BY a.rowid`).raw().all() as unknown[][];
      if (inserts.length || updates.length) plan.tables.push({ table, columns, inserts, updates });
      plan.rows += inserts.length + updates.length;
    }
    return plan;
  } finally {
    db.close();
  }
}

/** Replays the plan on a copy of the before-snapshot with the server's pragmas; returns milliseconds. */
export function replayWrites(beforeFile: string, workFile: string, plan: WritePlan, transactions: number): number {
  copyFileSync(beforeFile, workFile);
  const db = new Database(workFile);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const stmts = plan.tables.map((t) => ({
      t,
      insert: db.prepare(`INSERT INTO ${quote(t.table)} (rowid, ${t.columns.map(quote).join(', ')}) VALUES (${['?', ...t.columns.map(() => '?')].join(', ')})`),
      update: db.prepare(`UPDATE ${quote(t.table)} SET ${t.columns.map((c) => `${quote(c)} = ?`).join(', ')} WHERE rowid = ?`),
    }));
    // Ceiling bounds: a table with fewer rows than transactions (the one new client row) lands in the first.
    const slice = <T>(rows: T[], k: number) => rows.slice(Math.ceil((rows.length * k) / transactions), Math.ceil((rows.length * (k + 1)) / transactions));
    const apply = db.transaction((k: number) => {
      for (const s of stmts) {
        for (const row of slice(s.t.updates, k)) s.update.run(...row.slice(1), row[0]);
        for (const row of slice(s.t.inserts, k)) s.insert.run(...row);
      }
    });
    const t0 = performance.now();
    for (let k = 0; k < transactions; k++) apply(k);
    return performance.now() - t0;
  } finally {
    db.close();
  }
}
