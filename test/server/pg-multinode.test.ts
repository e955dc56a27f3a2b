// Several stateless API nodes on one PostgreSQL database (DESIGN §12): three server processes behind a
// round-robin TCP balancer. The sync guarantees of DESIGN §5 must hold across nodes, held by the database and
// not by any one process: no item leased twice, one effect per mutation whichever nodes a batch reaches, a
// node killed mid-stream loses nothing and applies nothing twice, pull through alternating nodes neither
// skips nor repeats a change while other nodes commit, and one reviewer claiming on every node at once never
// holds more than the lease cap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimResponse, MAX_CLAIM_COUNT, PushResponse, type Mutation, type PullResponse, type PushRequest } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { MAX_LEASED_PER_USER } from '../../shared/limits';
import { CentralClient, approvals, ingestItems, newClientId } from '../helpers/central-client';
import { openProbe } from '../helpers/db-snapshot';
import { addUsers } from '../helpers/extra-users';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy';
import { newDatabaseTarget, spawnServer, type SpawnedServer } from '../helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'desk-multinode-'));
let dbUrl: string;
const nodes: SpawnedServer[] = [];
let lb: RoundRobinProxy;
let queueIds: string[];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nodeErrors = () => nodes.flatMap((n) => n.output().split('\n').filter((l) => l.includes('"level":50'))).join('\n');

beforeAll(async () => {
  dbUrl = await newDatabaseTarget(dir);
  expect(dbUrl).toMatch(/^postgres:\/\//);
  // Three nodes start at once on an empty database: Kysely's migration lock lets one migrate, the demo
  // seed runs once.
  nodes.push(...await Promise.all([0, 1, 2].map(() => spawnServer({ dbFile: dbUrl, seed: 'demo' }))));
  lb = await startRoundRobinProxy(nodes.map((n) => n.port));
  queueIds = (await new CentralClient(lb.url, 'demo-ingest').queues()).queues.map((q) => q.id);
}, 120_000);

afterAll(async () => {
  await lb?.close();
  for (const n of nodes) await n.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A request retried while the path to a node is broken (a killed node) or the database says "later" (503). */
async function requestRetrying(client: CentralClient, method: string, path: string, body?: unknown) {
  let lastError = '';
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const res = await client.request(method, path, body);
      if (res.status !== 503) return res;
      lastError = JSON.stringify(res.body);
    } catch (err) {
      lastError = String(err);
    }
    await sleep(20 + Math.random() * 30);
  }
  throw new Error(`${method} ${path} kept failing: ${lastError}\n${nodeErrors()}`);
}

async function pushOk(client: CentralClient, body: PushRequest): Promise<PushResponse> {
  const res = await requestRetrying(client, 'POST', '/v1/sync/push', body);
  if (res.status !== 200) throw new Error(`push answered ${res.status}: ${JSON.stringify(res.body)}\n${nodeErrors()}`);
  return PushResponse.parse(res.body);
}

async function claimOk(client: CentralClient, count: number, queueId: string): Promise<Item[]> {
  const res = await requestRetrying(client, 'POST', '/v1/claims', { count, queueIds: [queueId], leaseMinutes: 120 });
  if (res.status !== 200) throw new Error(`claim answered ${res.status}: ${JSON.stringify(res.body)}\n${nodeErrors()}`);
  return ClaimResponse.parse(res.body).items;
}

async function newReviewers(prefix: string, n: number): Promise<{ id: string; token: string }[]> {
  const users = Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, roles: ['reviewer' as const] }));
  const tokens = await addUsers(dbUrl, users);
  return users.map((u) => ({ id: u.id, token: tokens[u.id] }));
}

async function decisionsPerItem(itemIds: string[]): Promise<Map<string, number>> {
  const db = await openProbe(dbUrl);
  try {
    const marks = itemIds.map(() => '?').join(',');
    const rows = await db.all<{ item_id: string; n: number }>(
      `SELECT item_id, COUNT(*) AS n FROM decisions WHERE item_id IN (${marks}) GROUP BY item_id`, ...itemIds);
    return new Map(rows.map((r) => [r.item_id, r.n]));
  } finally {
    await db.close();
  }
}

describe('three API nodes on one PostgreSQL behind a round-robin balancer', () => {
  it('30 concurrent claimers spread over the nodes never lease one item twice', async () => {
    const queueId = queueIds[3];
    await new CentralClient(lb.url, 'demo-ingest').ingest({ items: ingestItems(queueId, 600, { source: 'multinode-claims' }) });
    const db = await openProbe(dbUrl);
    const open = (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM items WHERE queue_id = ? AND status = 'open'`, queueId))!.n;
    await db.close();
    const before = [...lb.perTarget];

    const claimers = await newReviewers('mn-claimer', 30);
    const got = await Promise.all(claimers.map(async (c, k) => {
      const client = new CentralClient(lb.url, c.token);
      const mine: Item[] = [];
      for (let round = 0; round < 300; round++) {
        const items = await claimOk(client, 3 + (k % 7), queueId);
        if (items.length === 0) return mine;
        mine.push(...items);
      }
      throw new Error('claims did not drain the queue');
    }));

    const ids = got.flat().map((i) => i.id);
    expect(new Set(ids).size, 'no item leased twice').toBe(ids.length);
    expect(ids.length, 'every open item leased').toBe(open);
    got.forEach((items, i) => { for (const it of items) expect(it.assigneeId).toBe(claimers[i].id); });
    const spread = lb.perTarget.map((n, i) => n - before[i]);
    expect(spread.every((n) => n > 0), `connections per node ${spread.join(', ')}`).toBe(true);

    // The database agrees: each item has exactly one `claimed` event and one lease row since the race.
    const check = await openProbe(dbUrl);
    try {
      const marks = ids.map(() => '?').join(',');
      const twice = await check.all(`SELECT item_id FROM item_events WHERE type = 'claimed' AND item_id IN (${marks})
        GROUP BY item_id HAVING COUNT(*) <> 1`, ...ids);
      expect(twice).toEqual([]);
      const leases = await check.all(`SELECT item_id FROM item_epochs WHERE item_id IN (${marks}) GROUP BY item_id HAVING COUNT(*) <> 1`, ...ids);
      expect(leases).toEqual([]);
    } finally {
      await check.close();
    }
  }, 240_000);

  it('the same push batch sent to every node at once has one effect', async () => {
    const reviewers = await newReviewers('mn-pusher', 6);
    const queueId = queueIds[2];
    await new CentralClient(lb.url, 'demo-ingest').ingest({ items: ingestItems(queueId, 6 * 15, { source: 'multinode-push' }) });
    const all: string[] = [];
    await Promise.all(reviewers.map(async (r) => {
      const items = await claimOk(new CentralClient(lb.url, r.token), 15, queueId);
      expect(items).toHaveLength(15);
      all.push(...items.map((i) => i.id));
      const body = { clientId: newClientId(r.id), mutations: approvals(items, 1) };
      // One copy to each node, all at once.
      const answers = await Promise.all(nodes.map((n) => pushOk(new CentralClient(n.url, r.token), body)));
      for (let k = 0; k < items.length; k++) {
        const statuses = answers.map((a) => a.results[k].status).sort();
        expect(statuses).toEqual(['applied', 'duplicate', 'duplicate']);
      }
      for (const a of answers) expect(a.lastMutationId).toBe(15);
    }));
    const perItem = await decisionsPerItem(all);
    expect(perItem.size).toBe(all.length);
    expect([...perItem.values()].every((n) => n === 1)).toBe(true);
  }, 240_000);

  it('a node SIGKILLed in the middle of push streams loses nothing and applies nothing twice', async () => {
    const reviewers = await newReviewers('mn-stream', 4);
    const queueId = queueIds[1];
    const PER = 60;
    const BATCH = 5;
    await new CentralClient(lb.url, 'demo-ingest').ingest({ items: ingestItems(queueId, reviewers.length * PER, { source: 'multinode-kill' }) });
    const plans = await Promise.all(reviewers.map(async (r) => {
      const client = new CentralClient(lb.url, r.token);
      const items: Item[] = [];
      while (items.length < PER) {
        const got = await claimOk(client, PER - items.length, queueId);
        if (got.length === 0) break;
        items.push(...got);
      }
      return { client, clientId: newClientId(r.id), items, mutations: approvals(items, 1) };
    }));
    for (const p of plans) expect(p.items).toHaveLength(PER);

    let batchesDone = 0;
    const victim = nodes[1];
    const killed = (async () => {
      while (batchesDone < 8) await sleep(5);
      await victim.kill('SIGKILL');
    })();
    // Each desk pushes its outbox in order, one batch at a time, resending a batch whose answer never came.
    const answers = await Promise.all(plans.map(async (p) => {
      const results: PushResponse['results'] = [];
      for (let from = 0; from < p.mutations.length; from += BATCH) {
        const batch: Mutation[] = p.mutations.slice(from, from + BATCH);
        const res = await pushOk(p.client, { clientId: p.clientId, mutations: batch });
        results.push(...res.results);
        batchesDone += 1;
      }
      return results;
    }));
    await killed;
    expect(victim.child.signalCode).toBe('SIGKILL');

    for (const results of answers) {
      expect(results.map((r) => r.mutationId)).toEqual(Array.from({ length: PER }, (_, i) => i + 1));
      // A resent batch that the killed node had committed comes back as duplicate with the original code.
      expect(results.filter((r) => r.code !== 'ok')).toEqual([]);
      expect(results.every((r) => r.status === 'applied' || r.status === 'duplicate')).toBe(true);
    }
    const ids = plans.flatMap((p) => p.items.map((i) => i.id));
    const perItem = await decisionsPerItem(ids);
    expect(perItem.size, 'every decision reached the database').toBe(ids.length);
    expect([...perItem.values()].filter((n) => n !== 1), 'none applied twice').toEqual([]);
    const db = await openProbe(dbUrl);
    try {
      for (const p of plans) {
        expect((await db.get<{ n: number }>('SELECT last_mutation_id AS n FROM clients WHERE client_id = ?', p.clientId))!.n).toBe(PER);
      }
    } finally {
      await db.close();
    }
    // Bring the node back for the next test (a fresh process on the same database: nodes keep no state).
    nodes[1] = await spawnServer({ dbFile: dbUrl });
  }, 240_000);

  it('pull through alternating nodes never skips or repeats a change while writers commit on the others', async () => {
    const [puller] = await newReviewers('mn-puller', 1);
    const queueId = queueIds[0];
    const WRITERS = 4;
    const ROUNDS = 12;
    const PER_ROUND = 3;
    await new CentralClient(lb.url, 'demo-ingest').ingest({ items: ingestItems(queueId, WRITERS * ROUNDS * PER_ROUND, { source: 'multinode-pull' }) });
    const db = await openProbe(dbUrl);
    const fresh = (await db.all<{ id: string }>(`SELECT id FROM items WHERE source = ? ORDER BY id`, 'multinode-pull')).map((r) => r.id);
    await db.close();

    const clientId = newClientId('mn-pull');
    const pullVia = (k: number, cursor?: string) =>
      new CentralClient(nodes[k % nodes.length].url, puller.token).pull({ cursor, limit: 2, clientId });
    // Start from a replay cursor (an empty snapshot), so every later change reaches the desk through the log.
    let page: PullResponse = await pullVia(0);
    expect(page.upserts).toEqual([]);
    let cursor = page.cursor;

    // Writers: supervisors on nodes 1 and 2 assign fresh items to the puller, a few per transaction, each item
    // once: exactly one change per item, so a repeat or a skip is visible item by item.
    let writing = true;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const sam = new CentralClient(nodes[1 + (w % 2)].url, 'demo-sam');
      for (let r = 0; r < ROUNDS; r++) {
        const start = (w * ROUNDS + r) * PER_ROUND;
        const res = await requestRetrying(sam, 'POST', '/v1/assignments', { itemIds: fresh.slice(start, start + PER_ROUND), assigneeId: puller.id });
        expect(res.status).toBe(200);
      }
    });
    const done = Promise.all(writers).finally(() => { writing = false; });

    const seen = new Map<string, number>();
    let pulls = 0;
    const record = (p: PullResponse) => { for (const it of p.upserts) seen.set(it.id, (seen.get(it.id) ?? 0) + 1); };
    while (writing || page.hasMore) {
      page = await pullVia(++pulls, cursor);
      expect(page.reset).toBe(false);
      record(page);
      cursor = page.cursor;
    }
    await done;
    // Drain what committed after the last pull.
    do {
      page = await pullVia(++pulls, cursor);
      record(page);
      cursor = page.cursor;
    } while (page.hasMore);

    expect(pulls).toBeGreaterThan(10);
    expect([...seen.entries()].filter(([, n]) => n !== 1), 'no change repeated').toEqual([]);
    expect([...seen.keys()].sort(), 'no change skipped').toEqual(fresh);
  }, 240_000);
  it('the per-reviewer lease cap holds when one reviewer claims on every node at once and a supervisor assigns', async () => {
    // Each claim alone fits under the cap; together they would pass it twice over. Every node counts the
    // reviewer's leases and adds to them, so only a lock in the database keeps the total at the cap.
    const [capped] = await newReviewers('mn-capped', 1);
    const queueId = queueIds[4];
    const CLAIMS = 6;
    const fresh = MAX_LEASED_PER_USER + MAX_CLAIM_COUNT;
    const producer = new CentralClient(lb.url, 'demo-ingest');
    for (let i = 0; i < fresh; i += 1000) {
      await producer.ingest({ items: ingestItems(queueId, Math.min(1000, fresh - i), { source: 'multinode-cap', start: i }) });
    }
    const probe = await openProbe(dbUrl);
    const toAssign = (await probe.all<{ id: string }>(`SELECT id FROM items WHERE status = 'open' AND queue_id <> ? ORDER BY id LIMIT 40`, queueId)).map((r) => r.id);
    await probe.close();
    expect(toAssign).toHaveLength(40);

    const claims = Array.from({ length: CLAIMS }, async (_, k) => {
      const client = new CentralClient(nodes[k % nodes.length].url, capped.token);
      return (await claimOk(client, MAX_CLAIM_COUNT, queueId)).length;
    });
    const assignments = [0, 1].map(async (k) => {
      const sam = new CentralClient(nodes[(k + 1) % nodes.length].url, 'demo-sam');
      const res = await requestRetrying(sam, 'POST', '/v1/assignments', { itemIds: toAssign.slice(k * 20, k * 20 + 20), assigneeId: capped.id });
      // All or nothing: 200 while it fits, 409 once the claims filled the cap.
      expect([200, 409], JSON.stringify(res.body)).toContain(res.status);
      return res.status === 200 ? 20 : 0;
    });
    const got = await Promise.all([...claims, ...assignments]);
    const granted = got.reduce((a, b) => a + b, 0);

    const check = await openProbe(dbUrl);
    try {
      const held = (await check.get<{ n: number }>(`SELECT COUNT(*) AS n FROM items WHERE assignee_id = ? AND status = 'leased'`, capped.id))!.n;
      expect({ held, granted }).toEqual({ held: MAX_LEASED_PER_USER, granted: MAX_LEASED_PER_USER });
    } finally {
      await check.close();
    }
  }, 240_000);
});
