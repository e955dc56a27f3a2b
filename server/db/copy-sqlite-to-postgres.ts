// `npm run server -- import-sqlite FILE.sqlite --db postgres://…`: moves a SQLite server database (the demo,
// or a team that outgrew one machine) into PostgreSQL, row for row. The target is migrated to the same
// schema first and must hold no data; everything is copied in one transaction (all or nothing), in foreign
// key order, with the logs' numbers (change_log.pos, decisions.seq, item_events.seq…) kept as they are and
// the identity sequences moved past them, so desks keep their pull cursors (the database id moves too) and
// producers their decisions-feed cursor. Afterwards every table is compared row by row, in both databases.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from './connection';
import { isPostgresUrl } from './dialect';

/** Kysely's own bookkeeping: each database keeps its own migration record. */
const SKIPPED_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

export interface CopyReport {
  tables: { name: string; rows: number }[];
  /** Tables whose rows differ after the copy (empty when the copy is exact). */
  mismatched: string[];
}

type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

/** Tables ordered so that every table comes after the tables its foreign keys reference. */
function foreignKeyOrder(raw: import('better-sqlite3').Database, tables: string[]): string[] {
  const deps = new Map(tables.map((t) => [t, (raw.prepare(`PRAGMA foreign_key_list("${t}")`).all() as { table: string }[])
    .map((r) => r.table).filter((r) => r !== t && tables.includes(r))]));
  const out: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (out.includes(t)) return;
    if (visiting.has(t)) throw new Error(`foreign keys form a cycle through ${t}`);
    visiting.add(t);
    for (const d of deps.get(t) ?? []) visit(d);
    visiting.delete(t);
    out.push(t);
  };
  for (const t of tables) visit(t);
  return out;
}

/** A digest of a table's rows, independent of row order and of the database that holds them. */
export function rowsDigest(rows: Record<string, unknown>[]): string {
  const lines = rows.map((r) => JSON.stringify(r)).sort();
  const h = createHash('sha256');
  for (const l of lines) h.update(l).update('\n');
  return h.digest('hex');
}

export async function copySqliteToPostgres(sqliteFile: string, pgUrl: string, log: (line: string) => void = () => undefined): Promise<CopyReport> {
  if (isPostgresUrl(sqliteFile)) throw new Error(`the source must be a SQLite file, got ${sqliteFile}`);
  if (!isPostgresUrl(pgUrl)) throw new Error(`--db must be a postgres:// URL, got ${pgUrl}`);
  const source = await openDatabase(sqliteFile);
  const target = await openDatabase(pgUrl, { poolSize: 2 });
  try {
    const raw = source.raw!;
    const src = source.db as unknown as AnyDb;
    const dst = target.db as unknown as AnyDb;
    const sourceTables = (raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[])
      .map((r) => r.name).filter((t) => !SKIPPED_TABLES.has(t));
    const targetTables = new Set((await target.db.introspection.getTables()).map((t) => t.name));
    const missing = sourceTables.filter((t) => !targetTables.has(t));
    if (missing.length > 0) throw new Error(`the PostgreSQL schema lacks table(s) ${missing.join(', ')}: is the server the same version?`);
    const tables = foreignKeyOrder(raw, sourceTables);
    const highWater = new Map(raw.prepare(`SELECT name, seq FROM sqlite_sequence`).all().map((r) => {
      const row = r as { name: string; seq: number };
      return [row.name, row.seq];
    }));

    const report: CopyReport = { tables: [], mismatched: [] };
    await dst.transaction().execute(async (tx) => {
      for (const t of tables) {
        // Opening the target wrote its own meta.db_id; everything else must be empty.
        const rows = Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(t)}`.execute(tx)).rows[0].n);
        const own = t === 'meta' ? 1 : 0;
        if (rows > own) throw new Error(`the PostgreSQL database already holds data (${rows} row(s) in ${t}); import into an empty database`);
      }
      await tx.deleteFrom('meta').execute();
      for (const t of tables) {
        const columns = (raw.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => c.name);
        // PostgreSQL takes at most 65,535 parameters a statement.
        const batch = Math.max(1, Math.floor(30_000 / columns.length));
        let n = 0;
        let chunk: Record<string, unknown>[] = [];
        const flush = async () => {
          if (chunk.length > 0) await tx.insertInto(t).values(chunk).execute();
          n += chunk.length;
          chunk = [];
        };
        for (const row of raw.prepare(`SELECT * FROM "${t}"`).iterate()) {
          chunk.push(row as Record<string, unknown>);
          if (chunk.length >= batch) await flush();
        }
        await flush();
        report.tables.push({ name: t, rows: n });
        log(`copied ${n} row(s) of ${t}`);
      }
      // Identity columns continue after the copied numbers, and after numbers SQLite handed out and then
      // lost to compaction (AUTOINCREMENT never reuses them; neither may PostgreSQL).
      const identities = (await sql<{ table_name: string; column_name: string }>`SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND is_identity = 'YES'`.execute(tx)).rows;
      for (const { table_name: t, column_name: c } of identities) {
        if (!tables.includes(t)) continue;
        const max = Number((await sql<{ m: number | null }>`SELECT MAX(${sql.ref(c)}) AS m FROM ${sql.table(t)}`.execute(tx)).rows[0].m ?? 0);
        const next = Math.max(max, highWater.get(t) ?? 0) + 1;
        await sql`SELECT setval(pg_get_serial_sequence(${t}, ${c}), ${next}, false)`.execute(tx);
      }
    });

    // Compare every table, row by row, as each database reads it back.
    for (const { name } of report.tables) {
      const a = rowsDigest(await src.selectFrom(name).selectAll().execute());
      const b = rowsDigest(await dst.selectFrom(name).selectAll().execute());
      if (a !== b) report.mismatched.push(name);
    }
    return report;
  } finally {
    await source.close();
    await target.close();
  }
}
