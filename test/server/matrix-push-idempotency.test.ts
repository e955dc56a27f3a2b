// Push is exactly-once in effect (DESIGN §5 "Sync guarantees"): the same batch sent 3 times, in a row or
// all at once, has one effect; a gap answers 409 with the expected id; a reused id with another payload is
// `client_diverged`; a push whose response never reaches the client still yields its results through pull.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES, type PushResponse } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { approvals, assertProblem, mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, openProbe, snapshotOf } from '../helpers/db-snapshot';
import { startDemoServer, type DemoServer } from '../helpers/demo-fixture';
import { DB_KIND } from '../helpers/server';

let demo: DemoServer;
/** Set by a test: the next push fails just before commit with a transient database error (not one retried inside). */
let failNextCommit = false;
beforeAll(async () => {
  demo = await startDemoServer({
    faults: {
      beforePushCommit: () => {
        if (!failNextCommit) return;
        failNextCommit = false;
        throw DB_KIND === 'postgres'
          ? Object.assign(new Error('connection to the database lost'), { code: '08006' })
          : Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      },
    },
  });
});
afterAll(async () => { await demo?.close(); });

async function claim(n: number, who: 'alice' | 'bob' = 'alice'): Promise<Item[]> {
  const { items } = await demo.as[who].claim({ count: n, queueIds: [demo.queues[0].id] });
  expect(items).toHaveLength(n);
  return items;
}

/** Effects in the database for these items: outcome rows in the decisions feed and `decided` events. */
async function effects(itemIds: string[]) {
  const db = await openProbe(demo.dbFile);
  try {
    const marks = itemIds.map(() => '?').join(',');
    const decisions = await db.all<{ item_id: string; n: number }>(`SELECT item_id, COUNT(*) AS n FROM decisions WHERE item_id IN (${marks}) GROUP BY item_id`, ...itemIds);
    const events = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM item_events WHERE item_id IN (${marks}) AND type = 'decided'`, ...itemIds);
    return { perItem: Object.fromEntries(decisions.map((d) => [d.item_id, d.n])), decidedEvents: events!.n };
  } finally {
    await db.close();
  }
}

async function lastMutationIdInDb(clientId: string): Promise<number | undefined> {
  const db = await openProbe(demo.dbFile);
  try {
    return (await db.get<{ n: number }>('SELECT last_mutation_id AS n FROM clients WHERE client_id = ?', clientId))?.n;
  } finally {
    await db.close();
  }
}

async function outcomeKind(itemId: string): Promise<string | undefined> {
  const db = await openProbe(demo.dbFile);
  try {
    const row = await db.get<{ outcome: string | null }>('SELECT outcome FROM items WHERE id = ?', itemId);
    return row!.outcome ? (JSON.parse(row!.outcome) as { kind: string }).kind : undefined;
  } finally {
    await db.close();
  }
}

const settled = (r: PushResponse) => r.results.map((x) => [x.mutationId, x.status, x.code]);

describe('the same push batch sent 3 times', () => {
  it('in a row: applied once, then answered duplicate with the stored results', async () => {
    const items = await claim(10);
    const body = { clientId: newClientId('thrice'), mutations: approvals(items, 1) };
    const first = await demo.as.alice.push(body);
    expect(first.results.every((r) => r.status === 'applied')).toBe(true);
    const second = await demo.as.alice.push(body);
    const third = await demo.as.alice.push(body);
    for (const again of [second, third]) {
      expect(again.lastMutationId).toBe(10);
      expect(again.results.map((r) => [r.mutationId, r.status, r.code])).toEqual(first.results.map((r) => [r.mutationId, 'duplicate', r.code]));
      expect(again.results.map((r) => r.item?.outcome?.kind)).toEqual(items.map(() => 'approve'));
    }
    const fx = await effects(items.map((i) => i.id));
    expect(Object.values(fx.perItem)).toEqual(items.map(() => 1));
    expect(fx.decidedEvents).toBe(10);
  });

  it('concurrently: every mutation applied by exactly one of the three, one effect per item', async () => {
    const items = await claim(30);
    const body = { clientId: newClientId('concurrent'), mutations: approvals(items, 1) };
    const answers = await Promise.all([1, 2, 3].map(() => demo.as.alice.request('POST', '/v1/sync/push', body)));
    for (const a of answers) expect(a.status, JSON.stringify(a.body).slice(0, 300)).toBe(200);
    const results = answers.map((a) => (a.body as PushResponse).results);
    for (let i = 0; i < items.length; i++) {
      const statuses = results.map((r) => r[i].status).sort();
      expect(statuses, `mutation ${i + 1}`).toEqual(['applied', 'duplicate', 'duplicate']);
    }
    const fx = await effects(items.map((i) => i.id));
    expect(Object.values(fx.perItem)).toEqual(items.map(() => 1));
    expect(fx.decidedEvents).toBe(30);
  });

  it('from two clients of the same reviewer: the second decision on the same lease does not apply', async () => {
    const [item] = await claim(1);
    const a = await demo.as.alice.push({ clientId: newClientId('desk-a'), mutations: [mutationFor('approve', item, 1, {})] });
    const b = await demo.as.alice.push({ clientId: newClientId('desk-b'), mutations: [mutationFor('reject', item, 1, { reasonCode: demo.queues[0].reasonCodes[0].code })] });
    expect(a.results[0].status).toBe('applied');
    expect(b.results[0].status).toMatch(/conflict|rejected/);
    expect(b.results[0].item?.outcome?.kind).toBe('approve');
    expect((await effects([item.id])).perItem[item.id]).toBe(1);
  });
});

describe('gaps and divergence', () => {
  it('a gap answers 409 with the expected id and changes nothing', async () => {
    const items = await claim(5);
    const clientId = newClientId('gap');
    await demo.as.alice.push({ clientId, mutations: approvals(items.slice(0, 2), 1) });
    const before = await snapshotOf(demo.dbFile);
    const gap = await demo.as.alice.expectProblem(409, 'POST', '/v1/sync/push', { clientId, mutations: approvals(items.slice(2), 4) });
    expect(gap).toMatchObject({ type: PROBLEM_TYPES.mutationGap, expectedMutationId: 3 });
    expect(gap.detail).toMatch(/3/);
    // A batch that starts with known ids and then skips one is a gap too, and applies nothing of it.
    const partial = await demo.as.alice.expectProblem(409, 'POST', '/v1/sync/push', {
      clientId, mutations: [...approvals(items.slice(0, 2), 1), mutationFor('approve', items[2], 4, {})],
    });
    expect(partial.expectedMutationId).toBe(3);
    // Nothing changed but, at most, the client's updated_at stamp (its last mutation id stayed at 2).
    expect(changedTables(before, await snapshotOf(demo.dbFile)).filter((t) => t !== 'clients')).toEqual([]);
    expect(await lastMutationIdInDb(clientId)).toBe(2);
    const resumed = await demo.as.alice.push({ clientId, mutations: approvals(items.slice(2), 3) });
    expect(resumed.lastMutationId).toBe(5);
    expect(resumed.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
  });

  it('a reused id with another payload answers rejected client_diverged and leaves the first effect', async () => {
    const [a, b] = await claim(2);
    const clientId = newClientId('diverged');
    await demo.as.alice.push({ clientId, mutations: [mutationFor('approve', a, 1, {}), mutationFor('approve', b, 2, {})] });
    const reason = demo.queues[0].reasonCodes[0].code;
    const res = await demo.as.alice.push({
      clientId,
      mutations: [mutationFor('reject', a, 1, { reasonCode: reason }), mutationFor('approve', b, 2, { comment: 'other text' })],
    });
    expect(settled(res)).toEqual([[1, 'rejected', 'client_diverged'], [2, 'rejected', 'client_diverged']]);
    expect(res.results[0].message).toMatch(/different payload|diverged/);
    expect(res.lastMutationId).toBe(2);
    expect((await effects([a.id, b.id])).decidedEvents).toBe(2);
    expect(await outcomeKind(a.id)).toBe('approve');
  });

  it('a rejected mutation still advances the client, a later one applies', async () => {
    const [item] = await claim(1);
    const clientId = newClientId('advance');
    const bad = await demo.as.alice.push({ clientId, mutations: [mutationFor('reject', item, 1, { reasonCode: 'no_such_reason' })] });
    expect(settled(bad)).toEqual([[1, 'rejected', 'unknown_reason_code']]);
    expect(bad.lastMutationId).toBe(1);
    const good = await demo.as.alice.push({ clientId, mutations: [mutationFor('approve', item, 2, {})] });
    expect(settled(good)).toEqual([[2, 'applied', 'ok']]);
  });
});

describe('a transient server failure', () => {
  it('answers 503 with Retry-After, advances nothing, and the retry applies', async () => {
    const items = await claim(4);
    const clientId = newClientId('transient');
    await demo.as.alice.push({ clientId, mutations: approvals(items.slice(0, 1), 1) });
    const before = await snapshotOf(demo.dbFile);
    failNextCommit = true;
    const res = await demo.as.alice.request('POST', '/v1/sync/push', { clientId, mutations: approvals(items.slice(1), 2) });
    const problem = assertProblem(res, 503, 'push during a transient failure');
    expect(problem.type).toBe(PROBLEM_TYPES.unavailable);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual([]);
    const retry = await demo.as.alice.push({ clientId, mutations: approvals(items.slice(1), 2) });
    expect(settled(retry)).toEqual([[2, 'applied', 'ok'], [3, 'applied', 'ok'], [4, 'applied', 'ok']]);
  });
});

describe('a push whose response is lost', () => {
  /** Sends a push over raw HTTP and destroys the socket as soon as the status line arrives: the body is never read. */
  function pushAndDropResponse(body: unknown): Promise<number> {
    const url = new URL('/v1/sync/push', demo.url);
    const data = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'POST', agent: false,
        headers: { authorization: 'Bearer demo-alice', 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      });
      req.on('response', (res) => { const s = res.statusCode ?? 0; res.destroy(); req.destroy(); resolve(s); });
      req.on('error', reject);
      req.end(data);
    });
  }

  it('still yields every result through pull, and a re-push answers duplicate', async () => {
    const items = await claim(8);
    const clientId = newClientId('dropped');
    const startCursor = (await demo.as.alice.pullAll({ clientId, limit: 1000 })).at(-1)!.cursor;
    const status = await pushAndDropResponse({ clientId, mutations: approvals(items, 1) });
    expect(status).toBe(200);

    const pages = await demo.as.alice.pullAll({ cursor: startCursor, clientId, limit: 1000 });
    const results = pages.flatMap((p) => p.results).filter((r) => r.mutationId >= 1);
    expect(results.map((r) => [r.mutationId, r.status, r.code]).sort((x, y) => Number(x[0]) - Number(y[0])))
      .toEqual(items.map((_, i) => [i + 1, 'applied', 'ok']));
    expect(pages.at(-1)!.lastMutationId).toBe(8);
    // Decided items left alice's assigned set.
    const removed = new Set(pages.flatMap((p) => p.removals.map((r) => r.itemId)));
    for (const it of items) expect(removed.has(it.id) || pages.some((p) => p.upserts.some((u) => u.id === it.id && u.status === 'resolved'))).toBe(true);

    const again = await demo.as.alice.push({ clientId, mutations: approvals(items, 1) });
    expect(again.results.every((r) => r.status === 'duplicate')).toBe(true);
    expect((await effects(items.map((i) => i.id))).decidedEvents).toBe(8);
  });

  it('a first pull with only the client id returns the results it settled so far', async () => {
    const items = await claim(3);
    const clientId = newClientId('fresh-pull');
    await pushAndDropResponse({ clientId, mutations: approvals(items, 1) });
    const pages = await demo.as.alice.pullAll({ clientId, limit: 1000 });
    expect(pages.at(-1)!.lastMutationId).toBe(3);
    const ids = pages.flatMap((p) => p.results.map((r) => r.mutationId)).sort((a, b) => a - b);
    expect(ids).toEqual([1, 2, 3]);
  });
});
