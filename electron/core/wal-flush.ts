// Makes the WAL durable without holding the core's thread (issue 15 gap 2). A write that must be on disk
// before something happens later (marking a push batch sent, before the batch leaves) can commit with
// synchronous=NORMAL (commitRelaxed: its frames are written to the WAL file, not yet synced) and then await
// this: fdatasync of the WAL file on libuv's thread pool, while the core's thread goes on deciding. The WAL
// is one ordered log, so syncing the file makes every frame written before the call durable, exactly what
// the FULL commit's own fsync of the same file would have done, only off the thread a keypress waits on.
// (fsync/fdatasync act on the file, whichever descriptor asks; the file is opened read-write because
// Windows flushes only through a handle that may write. Nothing is ever written through it.)
import { open } from 'node:fs/promises';

export type WalFlush = () => Promise<void>;

/** Flushes `<cacheFile>-wal`; rejects when it cannot (no WAL file, an I/O error): the caller then syncs another way. */
export function walFlusher(cacheFile: string): WalFlush {
  return async () => {
    const fh = await open(`${cacheFile}-wal`, 'r+');
    try {
      await fh.datasync();
    } finally {
      await fh.close();
    }
  };
}
