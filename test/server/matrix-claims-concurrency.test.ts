// 20 reviewers claim concurrently over 1,000 fresh items: every item is leased at most once (DESIGN §5
// "atomic: no item is ever leased to two people"), checked through the API and in the database; and the
// same across two server processes on one database, where a push batch sent to both nodes applies once.
// Runs on SQLite and on PostgreSQL (DB_KIND, test/helpers/server.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimResponse, PushResponse, type PushRequest } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { CentralClient, approvals, ingestItems } from '../helpers/central-client';
import { integrityCheck, openProbe } from '../helpers/db-snapshot';
import { startDemoServer, type DemoServer } from '../helpers/demo-fixture';
import { addUsers } from '../helpers/extra-users';
import { DB_KIND, newDatabaseTarget, spawnServer, type SpawnedServer } from '../helpers/server';

const CLAIMERS = 20;
const ITEMS = 1000;

let demo: DemoServer;
let claimers: { id: string; client: CentralClient }[];
let queueId: string;
let openAtStart: number;
let eventSeqAtStart: number;

beforeAll(async () => {
  demo = await startDemoServer();
  queueId = demo.queues[3].id;
  const users = Array.from({ length: CLAIMERS }, (_, i) => ({ id: `claimer-${i}`, roles: ['reviewer' as const] }));
  const tokens = await addUsers(demo.dbFile, users);
  claimers = users.map((u) => ({ id: u.id, client: demo.anon.as(tokens[u.id]) }));
  await demo.as.ingest.ingest({ items: ingestItems(queueId, ITEMS, { source: 'claim-race' }) });
  const db = await openProbe(demo.dbFile);
  try {
    openAtStart = (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM items WHERE queue_id = ? AND status = 'open'`, queueId))!.n;
    eventSeqAtStart = (await db.get<{ s: number }>('SELECT COALESCE(MAX(seq), 0) AS s FROM item_events'))!.s;
  } finally {
    await db.close();
  }
  expect(openAtStart).toBeGreaterThanOrEqual(ITEMS);
});
afterAll(async () => { await demo?.close(); });

describe(`${CLAIMERS} concurrent claimers over ${ITEMS} items`, () => {
  it('leases every item at most once, and every open item to someone', async () => {
    const got = new Map<string, Item[]>();
    // Each claimer keeps claiming small, varied batches until the queue is empty: many overlapping transactions.
    await Promise.all(claimers.map(async ({ id, client }, k) => {
      const mine: Item[] = [];
      for (let round = 0; round < 200; round++) {
        const { items } = await client.claim({ count: 7 + (k % 13), queueIds: [queueId], leaseMinutes: 60 });
        if (items.length === 0) break;
        mine.push(...items);
      }
      got.set(id, mine);
    }));

    const all = [...got.values()].flat();
    const ids = all.map((i) => i.id);
    expect(new Set(ids).size, 'no item handed out twice').toBe(ids.length);
    expect(ids.length).toBe(openAtStart);
    for (const [who, items] of got) {
      for (const it of items) expect(it).toMatchObject({ assigneeId: who, status: 'leased', queueId });
    }
    expect([...got.values()].filter((v) => v.length > 0).length, 'the work was spread').toBeGreaterThan(1);

    // Each claimer's pull shows exactly what it was handed.
    for (const { id, client } of claimers.slice(0, 5)) {
      const pulled = (await client.pullAll({ limit: 1000 })).flatMap((p) => p.upserts.map((i) => i.id)).sort();
      expect(pulled).toEqual(got.get(id)!.map((i) => i.id).sort());
    }

    // The database agrees: one lease (epoch row) and one `claimed` event per item since the race began, held
    // by the claimer that got it; nothing in the queue is left open.
    const db = await openProbe(demo.dbFile);
    try {
      const holder = new Map(all.map((i) => [i.id, i]));
      const epochs = await db.all<{ item_id: string; epoch: number; user_id: string }>(`SELECT e.item_id, e.epoch, e.user_id FROM item_epochs e
        JOIN items i ON i.id = e.item_id WHERE i.queue_id = ? ORDER BY e.item_id, e.epoch`, queueId);
      const claimed = await db.all<{ item_id: string; actor_id: string; assignment_epoch: number }>(`SELECT ev.item_id, ev.actor_id, ev.assignment_epoch FROM item_events ev
        JOIN items i ON i.id = ev.item_id WHERE i.queue_id = ? AND ev.type = 'claimed' AND ev.seq > ?`, queueId, eventSeqAtStart);
      const rows = await db.all<{ id: string; status: string; assignee_id: string | null; assignment_epoch: number }>(
        `SELECT id, status, assignee_id, assignment_epoch FROM items WHERE queue_id = ?`, queueId);

      const claimedPerItem = new Map<string, number>();
      for (const c of claimed) claimedPerItem.set(c.item_id, (claimedPerItem.get(c.item_id) ?? 0) + 1);
      expect([...claimedPerItem.values()].filter((n) => n !== 1)).toEqual([]);
      expect(claimedPerItem.size).toBe(openAtStart);
      for (const c of claimed) expect([c.actor_id, c.assignment_epoch]).toEqual([holder.get(c.item_id)!.assigneeId, holder.get(c.item_id)!.assignmentEpoch]);

      const latestEpoch = new Map<string, { epoch: number; user_id: string; n: number }>();
      for (const e of epochs.filter((x) => holder.has(x.item_id) && x.epoch >= holder.get(x.item_id)!.assignmentEpoch)) {
        const prev = latestEpoch.get(e.item_id);
        latestEpoch.set(e.item_id, { epoch: e.epoch, user_id: e.user_id, n: (prev?.n ?? 0) + 1 });
      }
      expect(latestEpoch.size).toBe(openAtStart);
      for (const [itemId, e] of latestEpoch) {
        expect([e.n, e.epoch, e.user_id], itemId).toEqual([1, holder.get(itemId)!.assignmentEpoch, holder.get(itemId)!.assigneeId]);
      }
      const bad = rows.filter((r) => holder.has(r.id) && (r.status !== 'leased' || r.assignee_id !== holder.get(r.id)!.assigneeId || r.assignment_epoch !== holder.get(r.id)!.assignmentEpoch));
      expect(bad).toEqual([]);
      expect(rows.filter((r) => r.status === 'open')).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe(`two server processes on one ${DB_KIND} database (stateless API nodes), 10 claimers each`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'desk-two-nodes-'));
  let dbFile: string;
  const nodes: SpawnedServer[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** The nodes' logged errors (pino level 50), for a failure message. */
  const nodeErrors = () => nodes.flatMap((n) => n.output().split('\n').filter((l) => l.includes('"level":50'))).join('\n');

  /** Claims until empty; a 503 (database busy) is retried after its Retry-After, as a client must. */
  async function claimAll(client: CentralClient, queueId: string): Promise<Item[]> {
    const mine: Item[] = [];
    for (let round = 0; round < 400; round++) {
      const res = await client.request('POST', '/v1/claims', { count: 10, queueIds: [queueId], leaseMinutes: 60 });
      if (res.status === 503) { await new Promise((r) => setTimeout(r, 50)); continue; }
      if (res.status !== 200) throw new Error(`claim answered ${res.status}: ${JSON.stringify(res.body)}\n${nodeErrors()}`);
      const { items } = ClaimResponse.parse(res.body);
      if (items.length === 0) return mine;
      mine.push(...items);
    }
    throw new Error('claims did not drain the queue');
  }

  async function pushRetrying(client: CentralClient, body: PushRequest): Promise<PushResponse> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const res = await client.request('POST', '/v1/sync/push', body);
      if (res.status === 503) { await new Promise((r) => setTimeout(r, 50)); continue; }
      if (res.status !== 200) throw new Error(`push answered ${res.status}: ${JSON.stringify(res.body)}\n${nodeErrors()}`);
      return PushResponse.parse(res.body);
    }
    throw new Error('push stayed unavailable');
  }

  it('never leases an item twice across processes, and a batch sent to both applies once', async () => {
    dbFile = await newDatabaseTarget(dir);
    nodes.push(await spawnServer({ dbFile, seed: 'demo' }));
    const users = Array.from({ length: 20 }, (_, i) => ({ id: `node-claimer-${i}`, roles: ['reviewer' as const] }));
    const tokens = await addUsers(dbFile, users);
    nodes.push(await spawnServer({ dbFile }));
    const producer = new CentralClient(nodes[0].url, 'demo-ingest');
    const { queues } = await producer.queues();
    const queueId = queues[3].id;
    await producer.ingest({ items: ingestItems(queueId, 400, { source: 'two-nodes' }) });
    const db = await openProbe(dbFile);
    const open = (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM items WHERE queue_id = ? AND status = 'open'`, queueId))!.n;
    await db.close();

    const got = await Promise.all(users.map((u, i) => claimAll(new CentralClient(nodes[i % 2].url, tokens[u.id]), queueId)));
    const ids = got.flat().map((it) => it.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(open);
    got.forEach((items, i) => { for (const it of items) expect(it.assigneeId).toBe(users[i].id); });

    // Each claimer sends its decisions as one batch to BOTH nodes at once: one effect per item.
    const answers = await Promise.all(users.map(async (u, i) => {
      const body = { clientId: `two-nodes-${u.id}`, mutations: approvals(got[i], 1) };
      if (body.mutations.length === 0) return [];
      return Promise.all(nodes.map((n) => pushRetrying(new CentralClient(n.url, tokens[u.id]), body)));
    }));
    for (const pair of answers) {
      if (pair.length === 0) continue;
      const statuses = pair[0].results.map((r, k) => [r.status, pair[1].results[k].status].sort().join('+'));
      expect(new Set(statuses)).toEqual(new Set(['applied+duplicate']));
    }
    const check = await openProbe(dbFile);
    try {
      const dup = await check.all(`SELECT item_id FROM decisions d JOIN items i ON i.id = d.item_id WHERE i.queue_id = ? AND i.id NOT LIKE 'itm_h%' GROUP BY item_id HAVING COUNT(*) > 1`, queueId);
      expect(dup).toEqual([]);
      const decided = await check.get<{ n: number }>(`SELECT COUNT(DISTINCT d.item_id) AS n FROM decisions d JOIN items i ON i.id = d.item_id WHERE i.queue_id = ? AND i.id NOT LIKE 'itm_h%'`, queueId);
      expect(decided!.n).toBe(ids.length);
    } finally {
      await check.close();
    }

    for (const n of nodes.splice(0)) expect(await n.kill('SIGTERM')).toBe(0);
    if (DB_KIND === 'sqlite') expect(integrityCheck(dbFile)).toBe('ok');
  }, 180_000);
});
