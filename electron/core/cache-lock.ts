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
    // An empty exclusive transaction takes the EXCLUSIVE lock, which exclusive locking mode then keeps until close.
    // It writes nothing: a write (the owner row this file once had) cost a journal and two fsyncs, 20-30 ms of
    // every `npm start` on this machine's disk (issue 15 gap 4), for a row nothing read.
    db.exec('BEGIN EXCLUSIVE; COMMIT');
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
