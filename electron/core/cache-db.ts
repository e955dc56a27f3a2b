// Opens the cache database: WAL, synchronous=FULL (the decision path must be on disk before the UI
// moves on, DESIGN §7), foreign-key free schema migrated by PRAGMA user_version.
import Database from 'better-sqlite3';
import { restoreItemIndexesNow } from './deferred-indexes';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

export function openCacheDb(file: string): Db {
  const db = openWithCachePragmas(file);
  // A snapshot cut off half-way (a crash, a kill) left the items indexes set aside: build them before anything
  // reads the cache, and before a migration that might expect them (the saved definitions are this version's).
  if ((db.pragma('user_version', { simple: true }) as number) >= 1) restoreItemIndexesNow(db);
  migrate(db);
  return db;
}

/**
 * The cache's connection settings alone, without the index repair and migrations openCacheDb runs after them
 * (the core bench opens a copy of a synced cache this way to time index builds as the core's connection would).
 */
export function openWithCachePragmas(file: string): Db {
  const db = new Database(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // 64 MiB of page cache: pull pages touch index pages all over a 100k-item cache.
  db.pragma('cache_size = -65536');
  // The automatic checkpoint runs inside whichever commit crosses the threshold; a decision should never
  // be that commit. The core checkpoints between keypresses (index.ts, every second), so this high
  // threshold is only a ceiling on the WAL (~40 MB) during bulk pulls.
  db.pragma('wal_autocheckpoint = 10000');
  return db;
}

/**
 * Runs `write` (its own transaction, or autocommit statements) committing with synchronous=NORMAL, then puts
 * the decision path's FULL back. For writes that may be lost to a power cut (never to a crash of the process:
 * WAL keeps a NORMAL commit once the call returns) without losing work: the WAL is one ordered log, so the
 * next FULL commit (a decision) makes every earlier frame durable with it, and a power cut can only drop a
 * tail of relaxed commits. Such a commit skips the fsync (~2-8 ms on this class of disk) that would otherwise
 * sit on the core's one thread in front of the next decision. Inside an open transaction the outer commit
 * decides, so `write` just runs.
 */
export function commitRelaxed<T>(db: Db, write: () => T): T {
  if (db.inTransaction) return write();
  db.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`cache schema version ${current} is newer than this build knows (${MIGRATIONS.length}); refusing to touch it`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
