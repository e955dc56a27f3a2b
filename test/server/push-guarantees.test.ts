// The sync guarantees of DESIGN §5 at the unit of one push: duplicates answer the stored result, a reused id
// with another payload is client_diverged, a gap is a 409 with the expected id, a transient failure is a 503
// that advances nothing, and a client id belongs to one user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES, type Mutation, type MutationResult } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { RECLASSIFY_REASONS } from '../../shared/reclassify-reasons';
import { CentralClient, mutationFor, newClientId } from '../helpers/central-client';
import { openProbe } from '../helpers/db-snapshot';
import { startTestServer, type TestServer } from '../helpers/server';

let srv: TestServer;
let alice: CentralClient;
let bob: CentralClient;
let failNextCommit = false;

beforeAll(async () => {
  srv = await startTestServer({
    seed: 'demo',
    faults: { beforePushCommit: () => { if (failNextCommit) { failNextCommit = false; throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }); } } },
  });
  alice = new CentralClient(srv.url, 'demo-alice');
  bob = new CentralClient(srv.url, 'demo-bob');
});
afterAll(async () => { await srv?.close(); });

const count = async (sql: string, ...args: unknown[]) => {
  const db = await openProbe(srv.dbFile);
  try { return (await db.get<{ n: number }>(sql, ...args))!.n; } finally { await db.close(); }
};

describe('push guarantees', () => {
  // The server holds a batch's item updates and writes them at its end (server/services/mutations.ts ItemWrites):
  // each mutation must still see the item as the ones before it in the batch left it.
  it('applies several mutations on one item in one batch exactly as one push each', async () => {
    const { items } = await alice.claim({ count: 4 });
    const byItem = (mine: Item[]) => mine.map((item) => {
      const q = item.exceptionClass === 'policy' ? 'confidence' : 'policy';
      return [
        (id: number) => mutationFor('note', item, id, { text: 'first look' }),
        (id: number) => mutationFor('reclassify', item, id, { exceptionClass: q, reasonCode: RECLASSIFY_REASONS[0].code }),
        (id: number) => mutationFor('note', item, id, { text: 'second look' }),
        (id: number) => mutationFor('approve', item, id, {}),
        // The lease already has its outcome: a conflict, whose labor event names the queue the item is in now.
        (id: number) => mutationFor('approve', item, id, {}),
      ];
    });
    const oneEach = newClientId('one-each');
    const perPush: MutationResult[] = [];
    let id = 0;
    for (const make of byItem(items.slice(0, 2)).flat()) perPush.push(...(await alice.push({ clientId: oneEach, mutations: [make(++id)] })).results);
    const oneBatch = newClientId('one-batch');
    // Interleaved, so each item's mutations are apart in the batch.
    const [a, b] = byItem(items.slice(2, 4));
    const mutations: Mutation[] = a.flatMap((make, k) => [make(2 * k + 1), b[k](2 * k + 2)]);
    const batched = (await alice.push({ clientId: oneBatch, mutations })).results;
    const shape = (r: MutationResult) => ({ status: r.status, code: r.code,
      notes: r.item?.notes.map((n) => n.text), itemStatus: r.item?.status, exceptionClass: r.item?.exceptionClass, queueId: r.item?.queueId,
      version: r.item?.version, outcome: r.item?.outcome?.kind });
    const ofItem = (results: MutationResult[], itemId: string) => results.filter((r) => r.itemId === itemId).map(shape);
    expect(ofItem(batched, items[2].id)).toEqual(ofItem(perPush, items[0].id));
    expect(ofItem(batched, items[3].id)).toEqual(ofItem(perPush, items[1].id));
    expect(ofItem(batched, items[2].id).map((r) => `${r.status}:${r.code}`)).toEqual(['applied:ok', 'applied:ok', 'applied:ok', 'applied:ok', 'conflict:resolved_elsewhere']);
    // What was stored, read back from the database: the rows and the labor event of the conflict.
    const db = await openProbe(srv.dbFile);
    try {
      const stored = async (itemId: string) => {
        const row = await db.get<Record<string, unknown>>('SELECT status, queue_id, exception_class, version, notes, outcome, assignment_epoch FROM items WHERE id = ?', itemId);
        const labor = await db.get<{ payload: string }>("SELECT payload FROM item_events WHERE item_id = ? AND type = 'labor'", itemId);
        return { ...row, queueId: row!.queue_id, notes: (JSON.parse(String(row!.notes)) as { text: string }[]).map((n) => n.text),
          outcome: (JSON.parse(String(row!.outcome)) as { kind: string }).kind, laborQueue: (JSON.parse(labor!.payload) as { queueId: string }).queueId };
      };
      for (const [batchedItem, reference] of [[items[2], items[0]], [items[3], items[1]]]) {
        const got = await stored(batchedItem.id);
        expect(got).toEqual(await stored(reference.id));
        expect(got).toMatchObject({ status: 'resolved', notes: ['first look', 'second look'], outcome: 'approve' });
        expect(got.laborQueue).toBe(got.queueId);
      }
    } finally {
      await db.close();
    }
  });

  it('answers a repeated batch with the stored results and applies it once', async () => {
    const { items } = await alice.claim({ count: 3 });
    const clientId = newClientId('dup');
    const batch = { clientId, mutations: items.map((it, i) => mutationFor('approve', it, i + 1, {})) };
    const first = await alice.push(batch);
    const [second, third] = await Promise.all([alice.push(batch), alice.push(batch)]);
    expect(first.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    for (const again of [second, third]) {
      expect(again.lastMutationId).toBe(3);
      expect(again.results.map((r) => `${r.status}:${r.code}`)).toEqual(['duplicate:ok', 'duplicate:ok', 'duplicate:ok']);
    }
    for (const it of items) expect(await count("SELECT count(*) n FROM decisions WHERE item_id = ? AND kind = 'approve'", it.id)).toBe(1);
  });

  it('rejects a reused id with another payload as client_diverged without applying it', async () => {
    const { items } = await alice.claim({ count: 2 });
    const clientId = newClientId('div');
    await alice.push({ clientId, mutations: [mutationFor('approve', items[0], 1, {})] });
    const diverged = await alice.push({ clientId, mutations: [mutationFor('defer', items[1], 1, {})] });
    expect(diverged.results[0]).toMatchObject({ status: 'rejected', code: 'client_diverged' });
    expect(diverged.lastMutationId).toBe(1);
    expect(await count("SELECT count(*) n FROM items WHERE id = ? AND status = 'leased'", items[1].id)).toBe(1);
  });

  it('stops at a gap with 409 and the expected id', async () => {
    const { items } = await alice.claim({ count: 2 });
    const clientId = newClientId('gap');
    const p = await alice.expectProblem(409, 'POST', '/v1/sync/push', { clientId, mutations: [mutationFor('approve', items[0], 2, {})] });
    expect(p).toMatchObject({ type: PROBLEM_TYPES.mutationGap, expectedMutationId: 1 });
    expect(await count("SELECT count(*) n FROM items WHERE id = ? AND status = 'leased'", items[0].id)).toBe(1);
  });

  it('answers 503 with Retry-After on a transient failure and advances nothing', async () => {
    const { items } = await alice.claim({ count: 1 });
    const clientId = newClientId('503');
    failNextCommit = true;
    const res = await alice.request('POST', '/v1/sync/push', { clientId, mutations: [mutationFor('approve', items[0], 1, {})] });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((res.body as { type: string }).type).toBe(PROBLEM_TYPES.unavailable);
    expect(await count('SELECT count(*) n FROM client_mutations WHERE client_id = ?', clientId)).toBe(0);
    expect(await count("SELECT count(*) n FROM items WHERE id = ? AND status = 'leased'", items[0].id)).toBe(1);
    const retry = await alice.push({ clientId, mutations: [mutationFor('approve', items[0], 1, {})] });
    expect(retry.results[0]).toMatchObject({ status: 'applied', mutationId: 1 });
  });

  it('binds a client id to the first user who uses it', async () => {
    const { items } = await alice.claim({ count: 1 });
    const clientId = newClientId('owned');
    await alice.push({ clientId, mutations: [mutationFor('note', items[0], 1, { text: 'mine' })] });
    const p = await bob.expectProblem(403, 'POST', '/v1/sync/push', { clientId, mutations: [mutationFor('note', items[0], 2, { text: 'x' })] });
    expect(p.type).toBe(PROBLEM_TYPES.clientOwnedByOther);
    await bob.expectProblem(403, 'GET', `/v1/sync/pull?clientId=${clientId}`);
  });

  it('delivers the results of a push whose response was lost through pull', async () => {
    const { items } = await alice.claim({ count: 2 });
    const clientId = newClientId('lost');
    const start = await alice.pull({ clientId });
    await alice.push({ clientId, mutations: [mutationFor('approve', items[0], 1, {}), mutationFor('reject', items[1], 2, { reasonCode: 'bogus' })] });
    const pages = await alice.pullAll({ clientId, cursor: start.cursor });
    const results = pages.flatMap((p) => p.results);
    expect(results.map((r) => `${r.mutationId}:${r.status}:${r.code}`)).toEqual(['1:applied:ok', '2:rejected:unknown_reason_code']);
    expect(pages.at(-1)!.lastMutationId).toBe(2);
  });
});
