// The pull cursor follows commit order on PostgreSQL (server/db/dialect.ts takeCommitOrderLock): a writer
// that appends to change_log while another writer's append is still uncommitted waits for it, so positions
// are handed out in commit order and a reader never sees a position above one still in flight. Checked
// with two real transactions on the test cluster: the second is seen waiting on the lock (pg_locks), and only
// after the first commits does it get its (higher) position.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../server/db/connection';
import { COMMIT_ORDER_LOCK_KEY } from '../../server/db/dialect';
import { writeTransaction } from '../../server/db/write-transaction';
import { appendChanges } from '../../server/services/journal';
import { createTestDatabase } from '../helpers/pg-cluster';

let database: OpenedDatabase;
beforeAll(async () => { database = await openDatabase(await createTestDatabase('order')); });
afterAll(async () => { await database?.close(); });

const at = '2026-03-03T08:00:00.000Z';
const topPos = async () => Number((await database.db.selectFrom('change_log').select((eb) => eb.fn.max('pos').as('p')).executeTakeFirstOrThrow()).p ?? 0);

async function waitForLockWaiter(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND NOT granted AND objid = ${COMMIT_ORDER_LOCK_KEY}`.execute(database.db);
    if (rows[0].n > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the second writer never waited on the commit-order lock');
}

describe('change_log positions follow commit order across concurrent writers', () => {
  it('a second writer waits for the first to commit, then gets the next position', async () => {
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((r) => { releaseFirst = r; });
    let firstAppended!: () => void;
    const firstHasAppended = new Promise<void>((r) => { firstAppended = r; });

    const first = writeTransaction(database.db, async (tx) => {
      await appendChanges(tx, [{ userId: 'u1', kind: 'upsert', itemId: 'a', at }]);
      firstAppended();
      await firstMayCommit;
      return Number((await tx.selectFrom('change_log').select('pos').where('item_id', '=', 'a').executeTakeFirstOrThrow()).pos);
    });
    await firstHasAppended;
    const order: string[] = [];
    const second = writeTransaction(database.db, async (tx) => {
      await appendChanges(tx, [{ userId: 'u1', kind: 'upsert', itemId: 'b', at }]);
      order.push('second appended');
      return Number((await tx.selectFrom('change_log').select('pos').where('item_id', '=', 'b').executeTakeFirstOrThrow()).pos);
    });

    await waitForLockWaiter();
    expect(await topPos(), 'nothing visible while both are in flight').toBe(0);
    order.push('first commits');
    releaseFirst();
    const [posA, posB] = await Promise.all([first, second]);
    expect(order).toEqual(['first commits', 'second appended']);
    expect(posB).toBeGreaterThan(posA);
    expect(await topPos()).toBe(posB);
  });
});
