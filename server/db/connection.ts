// Opens the server's database, migrated to the latest schema: a SQLite file (better-sqlite3 behind Kysely's
// SqliteDialect, WAL) or, for a `postgres://` URL, PostgreSQL (Kysely's PostgresDialect on a pg Pool).
// Services only speak Kysely; where the two databases differ they call db/dialect.ts. `pg` is loaded only
// when a PostgreSQL URL is opened: a SQLite node (and the desk's start) never pays for loading it.
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import type pg from 'pg';
import type { Database } from './schema';
import { isPostgresUrl, type DbKind } from './dialect';
import { migrations } from './migrations';
import { usePreparedStatements } from './prepared';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer';
import { onSqliteCommit } from './write-transaction';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  kind: DbKind;
  /** SQLite only: the raw handle, for pragmas and integrity checks; queries go through Kysely. Null on PostgreSQL. */
  raw: BetterSqlite3.Database | null;
  /** Random per database: a pull cursor from another database is unknown here. */
  dbId: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL: connections in this node's pool (default 10, or PGPOOL_MAX). */
  poolSize?: number;
  /**
   * SQLite: checkpoint the WAL on a worker thread after write transactions commit (wal-checkpointer.ts), not
   * inside a request's commit. For the long-running server; a one-shot command keeps SQLite's own.
   */
  backgroundCheckpoints?: boolean;
}

/**
 * Kysely's SQLite driver prepares every query afresh; better-sqlite3 statements are reusable, so keep them
 * by SQL text. Bounded: queries with IN-lists of varying length make distinct texts.
 */
function withStatementCache(raw: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(sqlText: string) {
      let stmt = cache.get(sqlText);
      if (!stmt) {
        if (cache.size >= 2000) cache.clear();
        stmt = raw.prepare(sqlText);
        cache.set(sqlText, stmt);
      }
      return stmt;
    },
  };
}

/** int8 (bigint identity columns, COUNT, MAX) as a JS number: positions stay far below 2^53. */
const pgTypes = (types: typeof pg.types) => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.INT8 ? (v: string) => Number(v) : types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
});

export async function createPgPool(url: string, poolSize?: number): Promise<pg.Pool> {
  const { default: pgModule } = await import('pg');
  const max = poolSize ?? (Number(process.env.PGPOOL_MAX) || 10);
  const pool = new pgModule.Pool({ connectionString: url, max, types: pgTypes(pgModule.types), connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection (database restart) must not crash the node; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

function openSqlite(file: string): { db: Db; raw: BetterSqlite3.Database } {
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  // FULL: a committed decision survives power loss, not just a process crash.
  raw.pragma('synchronous = FULL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  const statements = withStatementCache(raw);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  // The hot paths run their statements straight from this cache inside write transactions (prepared.ts).
  usePreparedStatements(db, statements);
  return { db, raw };
}

/** Opens (and migrates) a SQLite file, or a PostgreSQL database given as a postgres:// URL. */
export async function openDatabase(target: string, opts: OpenOptions = {}): Promise<OpenedDatabase> {
  const kind: DbKind = isPostgresUrl(target) ? 'postgres' : 'sqlite';
  const { db, raw } = kind === 'postgres'
    ? { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: await createPgPool(target, opts.poolSize) }) }), raw: null }
    : openSqlite(target);
  let checkpointer: WalCheckpointer | null = null;
  if (raw && opts.backgroundCheckpoints) {
    const started = startWalCheckpointer(raw, target);
    checkpointer = started;
    onSqliteCommit(db, () => started.committed());
  }
  // On PostgreSQL several nodes may start at once: Kysely's Migrator takes an advisory lock, so one migrates.
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await checkpointer?.close();
    await db.destroy();
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
  await db.insertInto('meta').values({ key: 'db_id', value: randomUUID() })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  const { value: dbId } = await db.selectFrom('meta').select('value').where('key', '=', 'db_id').executeTakeFirstOrThrow();
  let closed = false;
  return {
    db, kind, raw, dbId,
    async close() {
      if (closed) return;
      closed = true;
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

/** A URL with its password masked, for logs. */
export const redactDbTarget = (target: string) => (isPostgresUrl(target) ? target.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@') : target);
