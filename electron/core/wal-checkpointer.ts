// Copies the WAL into the cache database on a timer, on a worker thread with a connection of its own, so
// a decision never waits behind a checkpoint (issue 15 gap 2). A checkpoint writes up to ~1,000 pages and
// fsyncs the database file: ~20 ms on the core's one thread, where any desk call arriving meanwhile waits.
// In WAL mode a PASSIVE checkpoint from another connection runs beside the writer: it takes no write lock
// and never waits (pages a reader still needs are left for the next one). The main connection keeps a high
// auto-checkpoint ceiling (cache-db.ts) for when this thread falls behind during bulk pulls.
//
// Each checkpoint is asked for by the core's thread (a message to the worker), and waits for a pause in the
// reviewer's keys (`quiet`), at most `maxDeferMs`: a checkpoint writes ~1,000 pages into the database file and
// fsyncs it, and a decision's commit that fsyncs the WAL meanwhile queues behind those writes on the disk.
//
// The worker starts at the first tick, not at once: a core that lives less than a period (most tests)
// never pays for a thread. At boot that first tick also waits for `startAfter` (the first item painted:
// starting a thread and its connection costs CPU the first paint needs). If it cannot start, the
// checkpoint runs on the core's thread as before.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Db } from './cache-db';
import { WAL_CHECKPOINT_WORKER_SOURCE, stopCheckpointWorker } from '../../shared/wal-checkpoint-worker';

export interface WalCheckpointer {
  close(): Promise<void>;
}

/**
 * Where better-sqlite3 resolves from: this bundle's file in CommonJS (Electron's core.cjs); as an ES module
 * (tsx, the start bundle: both run from the project folder) the working folder. `import.meta` is avoided:
 * the CommonJS build would warn about it. Should it not resolve, the worker fails and checkpoints fall back.
 */
function resolveFrom(): string {
  return typeof __filename === 'string' ? __filename : join(process.cwd(), 'package.json');
}

/** How often the core's thread looks whether a checkpoint is due and the keys paused. */
const DUE_POLL_MS = 50;

/** When a checkpoint may run: `quiet()` says the reviewer's keys paused; after `maxDeferMs` it runs regardless. */
export interface CheckpointPause {
  quiet(): boolean;
  maxDeferMs: number;
}

export function startWalCheckpointer(db: Db, file: string, intervalMs = 1_000, onFallback?: (e: unknown) => void, startAfter?: Promise<void>, pause?: CheckpointPause): WalCheckpointer {
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  let inThread = false;
  let closed = false;
  let lastAt = performance.now();
  let ticker: NodeJS.Timeout | null = null;
  const checkpointHere = () => {
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* the db is closing */ }
  };
  const tick = () => {
    const since = performance.now() - lastAt;
    if (since < intervalMs || (pause && !pause.quiet() && since < pause.maxDeferMs)) return;
    lastAt = performance.now();
    if (worker) worker.postMessage('checkpoint');
    else if (inThread) checkpointHere();
  };
  const startTicking = () => {
    if (closed || ticker) return;
    ticker = setInterval(tick, Math.min(intervalMs, DUE_POLL_MS));
    ticker.unref();
  };
  const fallBack = (e: unknown) => {
    if (closed || inThread) return;
    onFallback?.(e);
    inThread = true;
    startTicking();
  };
  let first: NodeJS.Timeout | null = null;
  const firstTick = () => {
    if (closed) return;
    try {
      const w = new Worker(WAL_CHECKPOINT_WORKER_SOURCE, { eval: true, workerData: { file, from: resolveFrom() } });
      w.unref();
      exited = new Promise((resolve) => w.once('exit', () => resolve()));
      w.once('error', (e) => { worker = null; fallBack(e); });
      worker = w;
      // Due at once (a pause in the keys permitting), then every intervalMs.
      lastAt = performance.now() - intervalMs;
      tick();
      startTicking();
    } catch (e) {
      fallBack(e);
    }
  };
  const scheduleFirst = () => {
    if (closed) return;
    first = setTimeout(firstTick, intervalMs);
    first.unref();
  };
  if (startAfter) void startAfter.then(scheduleFirst);
  else scheduleFirst();
  return {
    async close() {
      closed = true;
      if (first) clearTimeout(first);
      if (ticker) clearInterval(ticker);
      if (worker) {
        const w = worker;
        worker = null;
        await stopCheckpointWorker(w, exited);
      }
    },
  };
}
