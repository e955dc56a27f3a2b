// Copies the WAL into the database file on a worker thread with a connection of its own, so a request's
// commit never runs a checkpoint (issue 15 gap 5). SQLite's auto-checkpoint runs inside the COMMIT that
// pushes the WAL past 1,000 pages: it writes those pages into the database file and fsyncs it, on the one
// thread every request waits on. An ingest or push batch writes about that much, so nearly every batch's
// commit paid for one: measured on a raw replay of the bench's ingest (20 commits of 1,000 items), commits
// took ~700 ms with it and ~320 ms without. Durability does not change: a commit is on disk once its WAL
// frames are fsynced (synchronous=FULL); a checkpoint only moves committed pages into the main file.
//
// In WAL mode a PASSIVE checkpoint from another connection runs beside the writer: it takes no write lock
// and never waits (frames a reader still needs are left for the next one). It is asked for after a write
// transaction commits, at most one at a time and at most one per CHECKPOINT_GAP_MS (so small desk commits do
// not each cost a checkpoint's two fsyncs); the main connection keeps SQLite's auto-checkpoint with a high
// ceiling (BACKSTOP_PAGES) for when the worker falls behind. Should the worker not start, the main connection
// goes back to SQLite's default and nothing else changes.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { WAL_CHECKPOINT_WORKER_SOURCE, stopCheckpointWorker } from '../../shared/wal-checkpoint-worker';

/** SQLite's default auto-checkpoint (pages), kept when no worker runs. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;
/** The main connection's own auto-checkpoint while the worker runs: ~40 MB of WAL at 4 KiB pages. */
export const BACKSTOP_PAGES = 10_000;
/** At most one checkpoint asked for per this many milliseconds. */
export const CHECKPOINT_GAP_MS = 50;

export interface WalCheckpointer {
  /** A write transaction committed: a checkpoint is due soon. */
  committed(): void;
  /** Stops the worker (its connection closes); call before closing the database. */
  close(): Promise<void>;
}

/** Where the worker resolves better-sqlite3 from: this module (or the bundle holding it). */
function resolveFrom(): string {
  return typeof __filename === 'string' ? __filename : import.meta.url;
}

/** Checkpoints `file`'s WAL on a worker thread; `raw` is the server's own connection to it. */
export function startWalCheckpointer(raw: BetterSqlite3.Database, file: string, onFallback?: (e: unknown) => void): WalCheckpointer {
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  let failed = false;
  let closed = false;
  let running = false;
  let wanted = false;
  let lastAskAt = -Infinity;
  let timer: NodeJS.Timeout | null = null;

  const fallBack = (e: unknown) => {
    if (failed) return;
    failed = true;
    worker = null;
    running = false;
    try { raw.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`); } catch { /* closing */ }
    onFallback?.(e);
  };
  const start = (): Worker | null => {
    if (worker || failed || closed) return worker;
    try {
      // Resolving better-sqlite3 here first: a worker that cannot load it would only fail later, off-thread.
      createRequire(resolveFrom()).resolve('better-sqlite3');
      const w = new Worker(WAL_CHECKPOINT_WORKER_SOURCE, { eval: true, workerData: { file, from: resolveFrom() } });
      w.unref();
      exited = new Promise((resolve) => w.once('exit', () => resolve()));
      w.on('message', (m) => { if (m === 'done') { running = false; if (wanted) ask(); } });
      w.once('error', fallBack);
      raw.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
      worker = w;
    } catch (e) {
      fallBack(e);
    }
    return worker;
  };
  const ask = () => {
    wanted = true;
    if (running || closed || timer) return;
    const wait = lastAskAt + CHECKPOINT_GAP_MS - performance.now();
    if (wait > 0) {
      timer = setTimeout(() => { timer = null; ask(); }, wait);
      timer.unref();
      return;
    }
    const w = start();
    if (!w) return;
    wanted = false;
    running = true;
    lastAskAt = performance.now();
    w.postMessage('checkpoint');
  };
  return {
    committed: ask,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (!worker) return;
      const w = worker;
      worker = null;
      await stopCheckpointWorker(w, exited);
    },
  };
}
