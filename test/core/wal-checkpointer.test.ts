// The WAL checkpointer (issue 15 gap 2): checkpoints run on a worker thread with its own connection, so
// the pages a core writes reach the database file without the core's thread doing the copy.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openCacheDb, type Db } from '../../electron/core/cache-db';
import { startWalCheckpointer } from '../../electron/core/wal-checkpointer';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function freshCache(): { db: Db; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'desk-ckpt-'));
  dirs.push(dir);
  const file = join(dir, 'cache.sqlite');
  return { db: openCacheDb(file), file };
}

/** ~2 MB of rows: far below the auto-checkpoint ceiling, so only a checkpoint moves them into the file. */
function writeRows(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS filler (x TEXT)');
  const ins = db.prepare('INSERT INTO filler VALUES (?)');
  db.transaction(() => { for (let i = 0; i < 2000; i++) ins.run('x'.repeat(1000) + i); })();
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(25);
  }
  return cond();
}

describe('WAL checkpointer', () => {
  it('copies committed pages into the database file from its worker thread', async () => {
    const { db, file } = freshCache();
    writeRows(db);
    const before = statSync(file).size;
    const ckpt = startWalCheckpointer(db, file, 50, (e) => { throw e; });
    try {
      // The core's thread does nothing here but wait: only the worker can have grown the file.
      expect(await until(() => statSync(file).size > before + 1_000_000, 10_000)).toBe(true);
      // It keeps going: later writes reach the file too.
      const mid = statSync(file).size;
      writeRows(db);
      expect(await until(() => statSync(file).size > mid + 1_000_000, 10_000)).toBe(true);
    } finally {
      await ckpt.close();
      db.close();
    }
  });

  it('never holds up a writer: commits go on while it runs, and every row is there after close', async () => {
    const { db, file } = freshCache();
    const ckpt = startWalCheckpointer(db, file, 10);
    db.exec('CREATE TABLE t (n INTEGER)');
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 300; i++) {
      db.transaction(() => ins.run(i))();
      if (i % 20 === 0) await sleep(5);
    }
    await ckpt.close();
    await ckpt.close(); // twice is harmless
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(300);
    db.close();
  });

  it('waits for a pause in the keys: nothing is copied while quiet() says no, then it copies; after maxDeferMs it copies regardless', async () => {
    const { db, file } = freshCache();
    writeRows(db);
    const before = statSync(file).size;
    let quiet = false;
    let asked = 0;
    const ckpt = startWalCheckpointer(db, file, 20, (e) => { throw e; }, undefined, { quiet: () => { asked++; return quiet; }, maxDeferMs: 60_000 });
    try {
      // Asked several times, each time due (20 ms apart) and each time told the keys go on: nothing moved.
      expect(await until(() => asked >= 5, 10_000)).toBe(true);
      expect(statSync(file).size).toBe(before);
      quiet = true;
      expect(await until(() => statSync(file).size > before + 1_000_000, 10_000)).toBe(true);
    } finally {
      await ckpt.close();
    }
    writeRows(db);
    const mid = statSync(file).size;
    const overdue = startWalCheckpointer(db, file, 20, (e) => { throw e; }, undefined, { quiet: () => false, maxDeferMs: 200 });
    try {
      expect(await until(() => statSync(file).size > mid + 1_000_000, 10_000)).toBe(true);
    } finally {
      await overdue.close();
      db.close();
    }
  });

  it('closed before its first tick, it never starts a thread and the file stays as written', async () => {
    const { db, file } = freshCache();
    writeRows(db);
    const before = statSync(file).size;
    const ckpt = startWalCheckpointer(db, file, 200);
    await ckpt.close();
    await sleep(400);
    expect(statSync(file).size).toBe(before);
    db.close();
  });

  it('with startAfter, its first tick waits for that (the first item painted at boot), then it checkpoints', async () => {
    const { db, file } = freshCache();
    writeRows(db);
    const before = statSync(file).size;
    let firstPaint!: () => void;
    const painted = new Promise<void>((resolve) => { firstPaint = resolve; });
    const ckpt = startWalCheckpointer(db, file, 20, (e) => { throw e; }, painted);
    try {
      // Many periods pass: without the wait the worker would have copied the rows by now.
      await sleep(400);
      expect(statSync(file).size).toBe(before);
      firstPaint();
      expect(await until(() => statSync(file).size > before + 1_000_000, 10_000)).toBe(true);
    } finally {
      await ckpt.close();
      db.close();
    }
  });
});
