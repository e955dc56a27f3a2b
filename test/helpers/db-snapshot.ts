// Reads a server's SQLite file beside the running server (WAL lets a reader in while it writes), so tests
// can prove "no change in the database" without knowing the schema: a digest of every row of every table.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

export type DbSnapshot = Record<string, { rows: number; digest: string }>;

export function openReadonly(dbFile: string): Database.Database {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

export function tableNames(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[])
    .map((r) => r.name);
}

/** Row count and content digest of every table (except `ignore`, e.g. a token last-used stamp). */
export function snapshot(dbFile: string, ignore: string[] = []): DbSnapshot {
  const db = openReadonly(dbFile);
  try {
    const out: DbSnapshot = {};
    for (const name of tableNames(db)) {
      if (ignore.includes(name)) continue;
      const hash = createHash('sha256');
      let rows = 0;
      for (const row of db.prepare(`SELECT * FROM "${name}"`).iterate()) {
        hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
        rows += 1;
      }
      out[name] = { rows, digest: hash.digest('hex') };
    }
    return out;
  } finally {
    db.close();
  }
}

/** The names of the tables whose rows differ between two snapshots. */
export function changedTables(before: DbSnapshot, after: DbSnapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n]?.digest !== after[n]?.digest || before[n]?.rows !== after[n]?.rows).sort();
}

export function integrityCheck(dbFile: string): string {
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}
