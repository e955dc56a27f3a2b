// server/db/prepared.ts: the hot paths' statements run as prepared better-sqlite3 statements on the one
// connection a SQLite write transaction holds, and through Kysely everywhere else. Both paths write the
// same rows, a prepared statement joins (and rolls back with) its transaction, and outside a write
// transaction nothing bypasses Kysely's connection mutex into another request's open transaction.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../server/db/connection';
import { insertRows, selectRow, updateRows } from '../../server/db/prepared';
import { writeTransaction } from '../../server/db/write-transaction';
import type { Db } from '../../server/db/connection';

const dir = mkdtempSync(join(tmpdir(), 'desk-prepared-'));
const opened: OpenedDatabase[] = [];
afterAll(async () => {
  for (const d of opened) await d.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function freshDb(): Promise<OpenedDatabase> {
  const d = await openDatabase(join(dir, `db-${++n}.sqlite`));
  opened.push(d);
  return d;
}

const change = (userId: string, reason: string | null) => ({ user_id: userId, kind: 'remove' as const, item_id: null, reason, client_id: null, mutation_id: null, at: '2026-01-01T00:00:00.000Z' });

/** The same writes through a helper call site: inside a write transaction (prepared) or on the database (Kysely). */
async function workload(db: Db, inTransaction: boolean): Promise<unknown[]> {
  const run = (fn: (tx: Db) => Promise<void>) => (inTransaction ? writeTransaction(db, fn) : fn(db));
  await run(async (tx) => {
    await insertRows(tx, 'change_log', [change('u1', null), change('u2', 'decided'), change('u3', null)]);
    expect(await updateRows(tx, 'change_log', { reason: 'reassigned' }, { reason: null, user_id: 'u3' })).toBe(1);
    expect(await updateRows(tx, 'change_log', { kind: 'upsert' }, { reason: null })).toBe(1);
    expect(await selectRow(tx, 'change_log', { user_id: 'u2' })).toMatchObject({ reason: 'decided', kind: 'remove' });
    expect(await selectRow(tx, 'change_log', { user_id: 'nobody' })).toBeUndefined();
  });
  return db.selectFrom('change_log').selectAll().orderBy('pos').execute();
}

describe('prepared statements on the SQLite hot paths', () => {
  it('write the same rows as the Kysely path, with null matching IS NULL', async () => {
    const texts = (d: OpenedDatabase) => {
      const seen: string[] = [];
      const prepare = d.raw!.prepare.bind(d.raw!);
      d.raw!.prepare = ((text: string) => { seen.push(text); return prepare(text); }) as typeof prepare;
      return seen;
    };
    const a = await freshDb();
    const preparedTexts = texts(a);
    const prepared = await workload(a.db, true);
    const b = await freshDb();
    const kyselyTexts = texts(b);
    const kysely = await workload(b.db, false);
    expect(prepared).toEqual(kysely);
    // Which path ran: the helpers' own statement texts, or Kysely's (lower-case keywords).
    expect(preparedTexts.filter((t) => t.startsWith('INSERT INTO "change_log"') || t.startsWith('UPDATE "change_log"'))).toHaveLength(3);
    expect(kyselyTexts.filter((t) => /^(INSERT|UPDATE|SELECT \*)/.test(t))).toEqual([]);
    expect(prepared.map((r) => (r as { reason: string | null }).reason)).toEqual([null, 'decided', 'reassigned']);
  });

  it('run inside the write transaction: its rollback takes them back', async () => {
    const { db } = await freshDb();
    await expect(writeTransaction(db, async (tx) => {
      await insertRows(tx, 'change_log', [change('u1', null)]);
      expect(await selectRow(tx, 'change_log', { user_id: 'u1' })).toBeDefined();
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await db.selectFrom('change_log').selectAll().execute()).toEqual([]);
  });

  it('never slip into another request\'s open transaction from outside one', async () => {
    const { db } = await freshDb();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let entered!: () => void;
    const inside = new Promise<void>((r) => { entered = r; });
    const doomed = writeTransaction(db, async (tx) => {
      await insertRows(tx, 'change_log', [change('doomed', null)]);
      entered();
      await gate;
      throw new Error('roll back');
    });
    await inside;
    // Written on the database, not the transaction: it must wait for the connection, not join the transaction.
    const outside = insertRows(db, 'change_log', [change('outside', null)]);
    release();
    await expect(doomed).rejects.toThrow('roll back');
    await outside;
    expect((await db.selectFrom('change_log').select('user_id').execute()).map((r) => r.user_id)).toEqual(['outside']);
  });
});
