// Opens the server's database: better-sqlite3 behind Kysely's SqliteDialect, WAL, migrated to the latest
// schema. Swapping SqliteDialect for PostgresDialect (pg Pool) is the only change the services need.
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import type { Database } from './schema';
import { migrations } from './migrations';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  /** The raw handle, for pragmas and integrity checks only; queries go through Kysely. */
  raw: BetterSqlite3.Database;
  /** Random per database file: a pull cursor from another database is unknown here. */
  dbId: string;
  close(): Promise<void>;
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

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function openDatabase(file: string): Promise<OpenedDatabase> {
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  // FULL: a committed decision survives power loss, not just a process crash.
  raw.pragma('synchronous = FULL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await db.destroy();
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
  await db.insertInto('meta').values({ key: 'db_id', value: randomUUID() })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  const { value: dbId } = await db.selectFrom('meta').select('value').where('key', '=', 'db_id').executeTakeFirstOrThrow();
  let closed = false;
  return {
    db, raw, dbId,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
