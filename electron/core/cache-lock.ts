// One core per cache file (DESIGN §4). The lock is an SQLite side file held in EXCLUSIVE locking mode:
// the OS releases it when the owner dies (even on SIGKILL), so there is no stale lock to clean up, and
// SQLite's own per-inode bookkeeping makes a second opener in the same process fail as well.
import Database from 'better-sqlite3';
import { DeskFailure } from './desk-failure';

export interface CacheLock {
  release(): void;
}

export function acquireCacheLock(cacheFile: string): CacheLock {
  const lockFile = `${cacheFile}.lock`;
  let db: Database.Database | null = null;
  try {
    db = new Database(lockFile, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS owner (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, since TEXT NOT NULL)');
    // The write takes the EXCLUSIVE lock, which exclusive locking mode then keeps until close.
    db.prepare('INSERT OR REPLACE INTO owner (id, pid, since) VALUES (1, ?, ?)').run(process.pid, new Date().toISOString());
  } catch (e) {
    db?.close();
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new DeskFailure('locked', `the cache ${cacheFile} is in use by another Exception Desk core; close it first`);
    }
    throw e;
  }
  const held = db;
  return { release: () => { if (held.open) held.close(); } };
}
