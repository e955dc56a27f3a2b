// server/db/wal-checkpointer.ts: the server's WAL is copied into the database file by a worker thread after
// write transactions commit, not by SQLite's auto-checkpoint inside a request's COMMIT. SQLite files only (the
// checkpointer is SQLite's), so the postgres project runs it the same way.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../server/db/connection';
import { insertRows } from '../../server/db/prepared';
import { BACKSTOP_PAGES, startWalCheckpointer } from '../../server/db/wal-checkpointer';
import { writeTransaction } from '../../server/db/write-transaction';

const dir = mkdtempSync(join(tmpdir(), 'desk-server-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const fileName = () => join(dir, `db-${++n}.sqlite`);

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(20);
  }
  return cond();
}

/** ~2 MB of change-log rows in one write transaction: below SQLite's default auto-checkpoint (1,000 pages). */
async function writeBatch(d: OpenedDatabase, tag: string): Promise<void> {
  await writeTransaction(d.db, (tx) => insertRows(tx, 'change_log', Array.from({ length: 2_000 }, (_, i) => ({
    user_id: `u-${tag}`, kind: 'remove' as const, item_id: null, reason: `${tag}-${i}-${'x'.repeat(900)}`, client_id: null, mutation_id: null, at: '2026-01-01T00:00:00.000Z',
  }))));
}

const autoCheckpoint = (d: OpenedDatabase) => d.raw!.pragma('wal_autocheckpoint', { simple: true });

describe('server WAL checkpointer', () => {
  it('copies each committed batch into the database file from its worker; the main connection only keeps a backstop', async () => {
    const file = fileName();
    const d = await openDatabase(file, { backgroundCheckpoints: true });
    try {
      await writeBatch(d, 'a');
      // The first commit started the worker: the request path's own auto-checkpoint is now only a ceiling.
      expect(autoCheckpoint(d)).toBe(BACKSTOP_PAGES);
      // 2 MB is below SQLite's own 1,000 pages: without the worker nothing would move them into the file yet.
      const before = statSync(file).size;
      expect(await until(() => statSync(file).size > before + 1_500_000, 10_000)).toBe(true);
      const mid = statSync(file).size;
      await writeBatch(d, 'b');
      expect(await until(() => statSync(file).size > mid + 1_500_000, 10_000)).toBe(true);
    } finally {
      await d.close();
      await d.close(); // twice is harmless
    }
    const again = await openDatabase(file);
    try {
      expect((await again.db.selectFrom('change_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n).toBe(4_000);
    } finally {
      await again.close();
    }
  });

  it('leaves SQLite its own checkpoints where not asked for (one-shot commands), and nothing reaches the file before one', async () => {
    const file = fileName();
    const d = await openDatabase(file);
    try {
      await writeBatch(d, 'a');
      const before = statSync(file).size;
      await sleep(300);
      expect(autoCheckpoint(d)).toBe(1_000);
      expect(statSync(file).size).toBe(before);
    } finally {
      await d.close();
    }
  });

  it('falls back to SQLite\'s default auto-checkpoint when its worker cannot open the database', async () => {
    const file = fileName();
    const d = await openDatabase(file);
    const failures: unknown[] = [];
    d.raw!.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    const ckpt = startWalCheckpointer(d.raw!, join(dir, 'no-such-folder', 'x.sqlite'), (e) => failures.push(e));
    try {
      ckpt.committed();
      expect(await until(() => failures.length === 1, 10_000)).toBe(true);
      expect(autoCheckpoint(d)).toBe(1_000);
      ckpt.committed(); // after a failure, asking again neither throws nor starts another worker
      await sleep(100);
      expect(failures).toHaveLength(1);
    } finally {
      await ckpt.close();
      await d.close();
    }
  });
});
