// server/db/prepared.ts: the hot paths' statements run as prepared better-sqlite3 statements on the one
// connection a SQLite write transaction holds, and through Kysely everywhere else. Both paths write the
// same rows, a prepared statement joins (and rolls back with) its transaction, and outside a write
// transaction nothing bypasses Kysely's connection mutex into another request's open transaction.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../server/db/connection';
import { insertRows, insertRowsReturningKeys, selectRow, selectRowsIn, SQLITE_ROWS_PER_INSERT, updateRows, updateRowsInStorageOrder, upsertRows } from '../../server/db/prepared';
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

  it('insert a long batch of mixed shapes in order, multi-row on SQLite, with keys in the rows\' order', async () => {
    // Two full chunks, a tail, a row of another shape (no reason), then more of the first shape.
    const n = SQLITE_ROWS_PER_INSERT * 2 + 5;
    const rows = [
      ...Array.from({ length: n }, (_, i) => change(`u${i}`, `r${i}`)),
      { user_id: 'odd', kind: 'upsert' as const, item_id: null, client_id: null, mutation_id: null, at: '2026-01-01T00:00:00.000Z' },
      ...Array.from({ length: SQLITE_ROWS_PER_INSERT }, (_, i) => change(`v${i}`, null)),
    ];
    const results = await Promise.all([true, false].map(async (inTransaction) => {
      const d = await freshDb();
      const texts: string[] = [];
      const prepare = d.raw!.prepare.bind(d.raw!);
      d.raw!.prepare = ((text: string) => { texts.push(text); return prepare(text); }) as typeof prepare;
      const run = <T>(fn: (tx: Db) => Promise<T>) => (inTransaction ? writeTransaction(d.db, fn) : fn(d.db));
      const keys = await run(async (tx) => {
        const k = await insertRowsReturningKeys(tx, 'change_log', rows.slice(0, SQLITE_ROWS_PER_INSERT + 3), 'pos');
        await insertRows(tx, 'change_log', rows.slice(SQLITE_ROWS_PER_INSERT + 3));
        return k;
      });
      const stored = await d.db.selectFrom('change_log').selectAll().orderBy('pos').execute();
      const some = await run((tx) => selectRowsIn(tx, 'change_log', 'user_id', ['u3', 'odd', 'v1', 'nobody']));
      const narrow = await run((tx) => selectRowsIn(tx, 'change_log', 'user_id', ['u3', 'odd', 'v1', 'nobody'], ['user_id', 'reason']));
      return { keys, stored, some, narrow, multiRowTexts: texts.filter((t) => /^INSERT INTO "change_log" .*\), \(/.test(t)).length };
    }));
    const [prepared, kysely] = results;
    expect(prepared.stored).toEqual(kysely.stored);
    expect(prepared.stored.map((r) => r.user_id)).toEqual(rows.map((r) => r.user_id));
    expect(prepared.stored.find((r) => r.user_id === 'odd')?.reason).toBeNull();
    expect(prepared.keys).toEqual(prepared.stored.slice(0, SQLITE_ROWS_PER_INSERT + 3).map((r) => r.pos));
    expect(kysely.keys).toEqual(prepared.keys);
    const byUser = (xs: { user_id: string }[]) => [...xs].sort((a, b) => a.user_id.localeCompare(b.user_id));
    expect(byUser(prepared.some)).toEqual(byUser(kysely.some));
    expect(byUser(prepared.some).map((r) => r.user_id)).toEqual(['odd', 'u3', 'v1']);
    for (const r of [prepared, kysely]) {
      expect(byUser(r.narrow)).toEqual([{ user_id: 'odd', reason: null }, { user_id: 'u3', reason: 'r3' }, { user_id: 'v1', reason: null }]);
    }
    // The prepared side ran multi-row statements, one text whether or not keys were asked for (they come from
    // lastInsertRowid, not RETURNING); Kysely's texts are lower-case.
    expect(prepared.multiRowTexts).toBe(1);
    expect(kysely.multiRowTexts).toBe(0);
  });

  it('update keyed rows in storage order (rowid on SQLite), each with its own columns, as the Kysely path does', async () => {
    const users = ['u5', 'u1', 'u4', 'u2', 'u3'];
    const results = await Promise.all([true, false].map(async (inTransaction) => {
      const d = await freshDb();
      await insertRows(d.db, 'users', ['u1', 'u2', 'u3', 'u4', 'u5'].map((id) => ({ id, name: `name ${id}`, roles: '[]', created_at: 'x' })));
      const updates: string[] = [];
      const prepare = d.raw!.prepare.bind(d.raw!);
      d.raw!.prepare = ((text: string) => {
        const stmt = prepare(text);
        if (!text.startsWith('UPDATE "users"')) return stmt;
        const run = stmt.run.bind(stmt);
        return Object.assign(stmt, { run: (...params: unknown[]) => { updates.push(String(params[params.length - 1])); return run(...params); } });
      }) as typeof prepare;
      const run = (fn: (tx: Db) => Promise<void>) => (inTransaction ? writeTransaction(d.db, fn) : fn(d.db));
      await run((tx) => updateRowsInStorageOrder(tx, 'users', 'id', users.map((id, k) => ({
        key: id, set: k % 2 === 0 ? { name: `renamed ${id}` } : { name: `renamed ${id}`, roles: '["reviewer"]' } }))
        .concat([{ key: 'nobody', set: { name: 'ghost' } }])));
      return { rows: await d.db.selectFrom('users').selectAll().orderBy('id').execute(), updates };
    }));
    const [prepared, kysely] = results;
    expect(prepared.rows).toEqual(kysely.rows);
    expect(prepared.rows.map((r) => [r.id, r.name, r.roles])).toEqual([
      ['u1', 'renamed u1', '["reviewer"]'], ['u2', 'renamed u2', '["reviewer"]'], ['u3', 'renamed u3', '[]'], ['u4', 'renamed u4', '[]'], ['u5', 'renamed u5', '[]'],
    ]);
    // Prepared: by rowid (the insert order), whatever order the updates came in; the Kysely path is not traced here.
    expect(prepared.updates).toEqual(['1', '2', '3', '4', '5']);
    expect(kysely.updates).toEqual([]);
  });

  it('upsert: insert new keys, set the named columns of existing ones (multi-row on SQLite), as the Kysely path does', async () => {
    const fact = (i: number, outcome: string | null, ms = 0) => ({ item_id: `i${i}`, first_outcome_at: outcome, first_touch_at: 't0', last_escalated_at: null,
      sla_due_at: null, sla_paused_since: null, sla_paused_ms: ms });
    const n = SQLITE_ROWS_PER_INSERT + 3;
    const results = await Promise.all([true, false].map(async (inTransaction) => {
      const d = await freshDb();
      const texts: string[] = [];
      const prepare = d.raw!.prepare.bind(d.raw!);
      d.raw!.prepare = ((text: string) => { texts.push(text); return prepare(text); }) as typeof prepare;
      const run = (fn: (tx: Db) => Promise<void>) => (inTransaction ? writeTransaction(d.db, fn) : fn(d.db));
      await run((tx) => upsertRows(tx, 'item_facts', Array.from({ length: n }, (_, i) => fact(i, null)), 'item_id', ['first_outcome_at', 'sla_paused_ms']));
      // Half known (their first_touch_at stays: not among the columns set), half new.
      await run((tx) => upsertRows(tx, 'item_facts', Array.from({ length: n }, (_, i) => ({ ...fact(i + (n >> 1), 'done', i), first_touch_at: 'changed' })),
        'item_id', ['first_outcome_at', 'sla_paused_ms']));
      return { rows: await d.db.selectFrom('item_facts').selectAll().orderBy('item_id').execute(), multiRow: texts.filter((t) => /^INSERT INTO "item_facts" .*\), \(.*ON CONFLICT/.test(t)).length };
    }));
    const [prepared, kysely] = results;
    expect(prepared.rows).toEqual(kysely.rows);
    expect(prepared.rows).toHaveLength(n + (n >> 1));
    const byId = new Map(prepared.rows.map((r) => [r.item_id, r]));
    expect(byId.get('i0')).toMatchObject({ first_outcome_at: null, first_touch_at: 't0', sla_paused_ms: 0 });
    expect(byId.get(`i${n >> 1}`)).toMatchObject({ first_outcome_at: 'done', first_touch_at: 't0', sla_paused_ms: 0 });
    expect(byId.get(`i${n - 1}`)).toMatchObject({ first_outcome_at: 'done', first_touch_at: 't0', sla_paused_ms: n - 1 - (n >> 1) });
    expect(byId.get(`i${n}`)).toMatchObject({ first_outcome_at: 'done', first_touch_at: 'changed' });
    expect(prepared.multiRow).toBe(1); // one text, prepared once and cached
    expect(kysely.multiRow).toBe(0);
  });
});
