// The worker thread both the desk's cache and the server run to copy their SQLite WAL into the database
// file beside the writer (electron/core/wal-checkpointer.ts, server/db/wal-checkpointer.ts). Kept as source
// text, plain CommonJS run with `eval: true`, so it starts the same under tsx, in the esbuild bundles and in
// Electron without a file of its own. It opens `workerData.file` with better-sqlite3 resolved from
// `workerData.from`; on 'checkpoint' it runs a PASSIVE checkpoint (never waits, takes no write lock) and
// answers 'done'; on 'close' it closes its connection and lets the thread end.
export const WAL_CHECKPOINT_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const Database = createRequire(workerData.from)('better-sqlite3');
const db = new Database(workerData.file, { timeout: 0 });
parentPort.on('message', (m) => {
  if (m === 'checkpoint') {
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next ask tries again */ }
    parentPort.postMessage('done');
    return;
  }
  if (m !== 'close') return;
  try { db.close(); } catch { /* nothing to keep */ }
  parentPort.close();
});
`;

/** What stopping needs of a worker thread (node:worker_threads' Worker has it; `shared/` imports no Node). */
export interface CheckpointWorkerHandle {
  postMessage(message: 'close'): void;
  terminate(): Promise<number>;
}

/**
 * Asks the worker to close its connection and waits for the thread to exit (`exited`). A worker stuck in a long
 * checkpoint is ended after `graceMs`: its connection holds nothing a commit needs.
 */
export async function stopCheckpointWorker(worker: CheckpointWorkerHandle, exited: Promise<void>, graceMs = 2_000): Promise<void> {
  worker.postMessage('close');
  const stuck = setTimeout(() => void worker.terminate(), graceMs);
  await exited;
  clearTimeout(stuck);
}
