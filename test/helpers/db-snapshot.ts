// Reads a server's SQLite file beside the running server (WAL lets a reader in while it writes), so tests
// can prove "no change in the database" without knowing the schema: a digest of every row of every table.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';

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

// ---- either database: the suites that run on SQLite and on PostgreSQL (DB_KIND, test/helpers/server.ts) ----

/** Read access to a server's database, SQLite file or postgres:// URL alike. SQL uses `?` placeholders. */
export interface DbProbe {
  all<T>(sqlText: string, ...params: unknown[]): Promise<T[]>;
  get<T>(sqlText: string, ...params: unknown[]): Promise<T | undefined>;
  tables(): Promise<string[]>;
  /** A write (only on a probe opened with `writable`): for tests that prove the database refuses it. */
  run(sqlText: string, ...params: unknown[]): Promise<void>;
  close(): Promise<void>;
}

const isPg = (target: string) => /^postgres(ql)?:\/\//.test(target);
/** `?` → `$1, $2…` (the probes' SQL has no `?` inside string literals). */
const numbered = (sqlText: string) => { let n = 0; return sqlText.replace(/\?/g, () => `$${++n}`); };

export async function openProbe(target: string, opts: { writable?: boolean } = {}): Promise<DbProbe> {
  if (!isPg(target)) {
    const db = opts.writable ? new Database(target, { fileMustExist: true }) : openReadonly(target);
    db.pragma('busy_timeout = 5000');
    return {
      all: async <T>(s: string, ...p: unknown[]) => db.prepare(s).all(...p) as T[],
      get: async <T>(s: string, ...p: unknown[]) => db.prepare(s).get(...p) as T | undefined,
      tables: async () => tableNames(db),
      run: async (s: string, ...p: unknown[]) => { db.prepare(s).run(...p); },
      close: async () => { db.close(); },
    };
  }
  const client = new pg.Client({ connectionString: target, types: {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  } });
  await client.connect();
  const all = async <T>(s: string, ...p: unknown[]) => (await client.query(numbered(s), p)).rows as T[];
  return {
    all,
    run: async (s: string, ...p: unknown[]) => {
      if (!opts.writable) throw new Error('this probe is read-only; open it with { writable: true }');
      await client.query(numbered(s), p);
    },
    get: async <T>(s: string, ...p: unknown[]) => (await all<T>(s, ...p))[0],
    tables: async () => (await all<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)).map((r) => r.name),
    close: () => client.end(),
  };
}

/** snapshot() for either database: rows are digested in a sorted order, since PostgreSQL has no rowid order. */
export async function snapshotOf(target: string, ignore: string[] = []): Promise<DbSnapshot> {
  const db = await openProbe(target);
  try {
    const out: DbSnapshot = {};
    for (const name of await db.tables()) {
      if (ignore.includes(name)) continue;
      const rows = (await db.all<Record<string, unknown>>(`SELECT * FROM "${name}"`))
        .map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort();
      const hash = createHash('sha256');
      for (const r of rows) hash.update(r);
      out[name] = { rows: rows.length, digest: hash.digest('hex') };
    }
    return out;
  } finally {
    await db.close();
  }
}

/**
 * Tells whether anyone committed a change to a server's database between two calls, read beside the running
 * server. SQLite: `PRAGMA data_version` moves when another connection commits. PostgreSQL: a transaction gets
 * a transaction id only once it writes, so the ids handed out since the mark are the writers since then, and
 * `pg_xact_status` says whether any of them committed (a writer that rolled back committed nothing). Those
 * ids are the whole cluster's: on PostgreSQL, give the server a cluster of its own while watching it.
 */
export interface CommitWatch {
  mark(): Promise<void>;
  committedSinceMark(): Promise<boolean>;
  close(): Promise<void>;
}

export async function watchCommits(target: string): Promise<CommitWatch> {
  if (!isPg(target)) {
    const db = openReadonly(target);
    const version = () => db.pragma('data_version', { simple: true }) as number;
    let marked = version();
    return {
      mark: async () => { marked = version(); },
      committedSinceMark: async () => version() !== marked,
      close: async () => { db.close(); },
    };
  }
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  const nextXid = async () => (await client.query<{ x: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x')).rows[0].x;
  let marked = await nextXid();
  return {
    mark: async () => { marked = await nextXid(); },
    async committedSinceMark() {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM generate_series($1::bigint,
        pg_snapshot_xmax(pg_current_snapshot())::text::bigint - 1) AS x WHERE pg_xact_status(x::text::xid8) = 'committed'`, [marked]);
      return Number(rows[0].n) > 0;
    },
    close: () => client.end(),
  };
}
