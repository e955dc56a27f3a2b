// Every endpoint of the central API v1 (DESIGN §5): its happy path and each of its refusals, against the
// real reference server on 127.0.0.1 with a real SQLite file. Bodies are checked with the shared schemas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INGEST_BATCH, PROBLEM_TYPES } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { RECLASSIFY_REASONS, reclassifyReason } from '../../shared/reclassify-reasons';
import { approvals, ingestItems, mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, openProbe, snapshotOf } from '../helpers/db-snapshot';
import { startDemoServer, type DemoServer } from '../helpers/demo-fixture';
import { DB_KIND, startTestServer } from '../helpers/server';

let demo: DemoServer;
beforeAll(async () => { demo = await startDemoServer(); });
afterAll(async () => { await demo?.close(); });

const minutes = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 60_000;

describe('GET /v1/health and /v1/openapi.json', () => {
  it('answers health to anyone, with the API version', async () => {
    const h = await demo.anon.health();
    expect(h).toMatchObject({ status: 'ok', apiVersion: 'v1' });
  });

  it('reports a server id that is the same in health and /v1/me, so a desk can bind its cache to it', async () => {
    const h = (await demo.anon.health()) as { serverId?: string };
    expect(h.serverId).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await demo.as.alice.me()) as { serverId?: string }).serverId).toBe(h.serverId);
  });

  it('serves an OpenAPI document that lists every endpoint', async () => {
    const res = await demo.anon.request('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/v1/health', '/v1/me', '/v1/exceptions', '/v1/queues', '/v1/claims', '/v1/assignments', '/v1/sync/pull', '/v1/sync/push', '/v1/decisions']) {
      expect(Object.keys(doc.paths), p).toContain(p);
    }
  });

  it('answers readiness with the database kind; a draining node answers 503 on /v1/ready but still serves', async () => {
    expect((await demo.anon.request('GET', '/v1/ready')).body).toEqual({ status: 'ready', database: DB_KIND });
    const node = await startTestServer();
    try {
      const drained = node.server.drain(60_000);
      const ready = await fetch(`${node.url}/v1/ready`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('2');
      expect(((await ready.json()) as { detail: string }).detail).toMatch(/draining/);
      expect((await fetch(`${node.url}/v1/health`)).status).toBe(200);
      void drained;
    } finally {
      await node.close();
    }
  });

  it('answers an unknown path with a 404 problem', async () => {
    const p = await demo.anon.expectProblem(404, 'GET', '/v1/nope');
    expect(p.type).toBe(PROBLEM_TYPES.notFound);
  });
});

describe('GET /v1/me', () => {
  it('names the caller and their roles', async () => {
    expect(await demo.as.alice.me()).toMatchObject({ id: 'alice', name: expect.stringMatching(/alice/i), roles: ['reviewer'] });
    expect((await demo.as.omar.me()).roles).toEqual(['owner']);
    expect((await demo.as.olivia.me()).roles).toEqual(expect.arrayContaining(['owner', 'reviewer']));
    expect((await demo.as.sam.me()).roles).toContain('supervisor');
    expect((await demo.as.ingest.me()).roles).toContain('producer');
  });

  it('refuses a missing, unknown or malformed credential with 401', async () => {
    for (const opts of [{ token: null }, { token: 'demo-mallory' }, { token: 'x'.repeat(300) }]) {
      const p = await demo.anon.expectProblem(401, 'GET', '/v1/me', undefined, opts);
      expect(p.type).toBe(PROBLEM_TYPES.unauthorized);
    }
    const res = await fetch(`${demo.url}/v1/me`, { headers: { authorization: 'Basic YWxpY2U6eA==' } });
    expect(res.status).toBe(401);
  });
});

describe('GET /v1/queues', () => {
  it('lists the demo queues over all four classes, each with a named owner, SLA target and reason codes', async () => {
    const { queues } = await demo.as.bob.queues();
    expect(queues.length).toBeGreaterThanOrEqual(4);
    expect(new Set(queues.map((q) => q.exceptionClass))).toEqual(new Set(['policy', 'confidence', 'data_integrity', 'business_rule']));
    for (const q of queues) {
      expect(q.ownerName.length).toBeGreaterThan(0);
      expect(q.slaTargetMinutes).toBeGreaterThan(0);
      expect(q.reasonCodes.length).toBeGreaterThan(0);
    }
  });

  it('refuses an anonymous caller', async () => {
    await demo.anon.expectProblem(401, 'GET', '/v1/queues');
  });
});

describe('POST /v1/exceptions', () => {
  it('creates items with the SLA due computed from the queue target, and a second send creates nothing', async () => {
    const q = demo.queues[0];
    const batch = { items: ingestItems(q.id, 25, { source: 'endpoints-ingest' }) };
    const first = await demo.as.ingest.ingest(batch);
    expect(first).toMatchObject({ created: 25, existing: 0 });
    expect(first.items.every((i) => i.created)).toBe(true);
    expect(new Set(first.items.map((i) => i.id)).size).toBe(25);

    const before = await snapshotOf(demo.dbFile);
    const again = await demo.as.ingest.ingest(batch);
    expect(again).toMatchObject({ created: 0, existing: 25 });
    expect(changedTables(before, await snapshotOf(demo.dbFile)), 'a repeated batch writes nothing').toEqual([]);
    expect(again.items.map((i) => i.id)).toEqual(first.items.map((i) => i.id));
    expect(again.items.every((i) => !i.created)).toBe(true);

    // A batch mixing new and known items creates only the new ones.
    const mixed = await demo.as.ingest.ingest({ items: ingestItems(q.id, 30, { source: 'endpoints-ingest' }) });
    expect(mixed).toMatchObject({ created: 5, existing: 25 });

    // The SLA due of an ingested item: enqueue + the queue's target (seen through a supervisor assignment).
    const assigned = await demo.as.sam.assign({ itemIds: [first.items[0].id], assigneeId: demo.ids.bob });
    const item = assigned.items[0];
    expect(item).toMatchObject({ source: 'endpoints-ingest', externalId: 'ext-0', queueId: q.id, exceptionClass: q.exceptionClass });
    expect(minutes(item.enqueuedAt, item.slaDueAt)).toBeCloseTo(q.slaTargetMinutes, 5);
  });

  it('creates an item once when the same (source, externalId) appears twice in one batch', async () => {
    const [one] = ingestItems(demo.queues[0].id, 1, { source: 'endpoints-twice-in-batch' });
    const res = await demo.as.ingest.ingest({ items: [one, { ...one, title: 'same key, other title' }] });
    expect(res).toMatchObject({ created: 1, existing: 1 });
    expect(res.items[0].id).toBe(res.items[1].id);
  });

  it('sent three times at once, creates each item once', async () => {
    const batch = { items: ingestItems(demo.queues[1].id, 200, { source: 'endpoints-concurrent-ingest' }) };
    const answers = await Promise.all([1, 2, 3].map(() => demo.as.ingest.ingest(batch)));
    expect(answers.reduce((n, a) => n + a.created, 0)).toBe(200);
    expect(new Set(answers.map((a) => JSON.stringify(a.items.map((i) => i.id)))).size).toBe(1);
  });

  it('refuses a caller who is not a producer (403) and an anonymous one (401)', async () => {
    const body = { items: ingestItems(demo.queues[0].id, 1, { source: 'endpoints-refused' }) };
    expect((await demo.as.alice.expectProblem(403, 'POST', '/v1/exceptions', body)).type).toBe(PROBLEM_TYPES.forbidden);
    await demo.as.sam.expectProblem(403, 'POST', '/v1/exceptions', body);
    await demo.anon.expectProblem(401, 'POST', '/v1/exceptions', body);
  });

  it('refuses an empty batch, a batch over the limit, and an unknown queue', async () => {
    const q = demo.queues[0];
    const empty = await demo.as.ingest.expectProblem(400, 'POST', '/v1/exceptions', { items: [] });
    expect(empty.type).toBe(PROBLEM_TYPES.validation);
    const tooMany = await demo.as.ingest.expectProblem([400, 413], 'POST', '/v1/exceptions', { items: ingestItems(q.id, MAX_INGEST_BATCH + 1, { source: 'endpoints-big' }) });
    expect(tooMany.detail ?? tooMany.title).toMatch(/1000|too (many|large|big)|limit/i);
    const unknownQueue = await demo.as.ingest.expectProblem([400, 404], 'POST', '/v1/exceptions', { items: ingestItems('no-such-queue', 1, { source: 'endpoints-noq' }) });
    expect(JSON.stringify(unknownQueue)).toMatch(/no-such-queue|queue/i);
  });
});

describe('POST /v1/claims', () => {
  it('leases items to the caller, oldest SLA due first, with a new epoch and the asked lease', async () => {
    const q = demo.queues[1];
    const before = Date.now();
    const first = await demo.as.alice.claim({ count: 5, queueIds: [q.id], leaseMinutes: 15 });
    expect(first.items).toHaveLength(5);
    for (const it of first.items) {
      expect(it).toMatchObject({ status: 'leased', assigneeId: demo.ids.alice, queueId: q.id });
      expect(it.assignmentEpoch).toBeGreaterThanOrEqual(1);
      const leaseMin = (Date.parse(it.leaseExpiresAt!) - before) / 60_000;
      expect(leaseMin).toBeGreaterThan(14);
      expect(leaseMin).toBeLessThan(16);
    }
    const dues = first.items.map((i) => Date.parse(i.slaDueAt));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    const second = await demo.as.alice.claim({ count: 5, queueIds: [q.id] });
    expect(second.items.map((i) => i.id)).not.toEqual(expect.arrayContaining([first.items[0].id]));
    expect(Math.min(...second.items.map((i) => Date.parse(i.slaDueAt)))).toBeGreaterThanOrEqual(Math.max(...dues));
  });

  it('refuses an unknown queue id, naming it', async () => {
    const p = await demo.as.alice.expectProblem(400, 'POST', '/v1/claims', { count: 3, queueIds: [demo.queues[0].id, 'no-such-queue'] });
    expect(p.errors).toContainEqual({ path: 'queueIds.1', message: expect.stringContaining('no-such-queue') });
  });

  it('refuses non-reviewers, anonymous callers, and counts or leases out of bounds', async () => {
    await demo.as.sam.expectProblem(403, 'POST', '/v1/claims', { count: 1 });
    await demo.as.ingest.expectProblem(403, 'POST', '/v1/claims', { count: 1 });
    await demo.anon.expectProblem(401, 'POST', '/v1/claims', { count: 1 });
    for (const body of [{ count: 0 }, { count: 1001 }, { count: 1, leaseMinutes: 0 }, { count: 1, leaseMinutes: 7 * 24 * 60 + 1 }, {}]) {
      const p = await demo.as.alice.expectProblem(400, 'POST', '/v1/claims', body);
      expect(p.type, JSON.stringify(body)).toBe(PROBLEM_TYPES.validation);
      expect(p.errors?.length ?? 0, JSON.stringify(body)).toBeGreaterThan(0);
    }
  });
});

describe('POST /v1/assignments', () => {
  it('lets a supervisor assign an open item and reassign a leased one, with a new epoch each time', async () => {
    const [open] = (await demo.as.ingest.ingest({ items: ingestItems(demo.queues[2].id, 1, { source: 'endpoints-assign' }) })).items;
    const a = await demo.as.sam.assign({ itemIds: [open.id], assigneeId: demo.ids.alice, leaseMinutes: 20 });
    expect(a.items[0]).toMatchObject({ id: open.id, status: 'leased', assigneeId: demo.ids.alice });
    const b = await demo.as.sam.assign({ itemIds: [open.id], assigneeId: demo.ids.bob });
    expect(b.items[0]).toMatchObject({ id: open.id, assigneeId: demo.ids.bob });
    expect(b.items[0].assignmentEpoch).toBeGreaterThan(a.items[0].assignmentEpoch);
    expect(b.items[0].version).toBeGreaterThan(a.items[0].version);
  });

  it('refuses non-supervisors, unknown items and unknown assignees, changing nothing', async () => {
    const [open] = (await demo.as.ingest.ingest({ items: ingestItems(demo.queues[2].id, 1, { source: 'endpoints-assign-refused' }) })).items;
    await demo.as.alice.expectProblem(403, 'POST', '/v1/assignments', { itemIds: [open.id], assigneeId: demo.ids.alice });
    await demo.as.olivia.expectProblem(403, 'POST', '/v1/assignments', { itemIds: [open.id], assigneeId: demo.ids.alice });
    await demo.anon.expectProblem(401, 'POST', '/v1/assignments', { itemIds: [open.id], assigneeId: demo.ids.alice });
    await demo.as.sam.expectProblem([400, 404], 'POST', '/v1/assignments', { itemIds: ['no-such-item'], assigneeId: demo.ids.alice });
    await demo.as.sam.expectProblem([400, 404], 'POST', '/v1/assignments', { itemIds: [open.id], assigneeId: 'no-such-user' });
    await demo.as.sam.expectProblem(400, 'POST', '/v1/assignments', { itemIds: [], assigneeId: demo.ids.alice });
    await demo.as.sam.expectProblem(400, 'POST', '/v1/assignments', { itemIds: [open.id], assigneeId: demo.ids.ingest });
    // None of the refusals leased it: a supervisor assignment still finds it open at epoch 0 -> 1.
    const ok = await demo.as.sam.assign({ itemIds: [open.id], assigneeId: demo.ids.bob });
    expect(ok.items[0].assignmentEpoch).toBe(1);
    // A resolved item cannot be assigned again.
    await demo.as.bob.push({ clientId: newClientId('bob'), mutations: approvals(ok.items, 1) });
    const closed = await demo.as.sam.expectProblem(409, 'POST', '/v1/assignments', { itemIds: [open.id], assigneeId: demo.ids.alice });
    expect(closed.detail).toMatch(/resolved/);
  });
});

describe('GET /v1/sync/pull', () => {
  it('returns my leased items and queues, then only what changed since the cursor', async () => {
    const client = demo.as.bob;
    const first = await client.pullAll({ limit: 1000 });
    const cursor = first.at(-1)!.cursor;
    expect(first[0].queues.length).toBe(demo.queues.length);
    const claimed = await client.claim({ count: 3, queueIds: [demo.queues[3].id] });
    const next = await client.pull({ cursor });
    expect(next.upserts.map((i) => i.id)).toEqual(expect.arrayContaining(claimed.items.map((i) => i.id)));
    for (const it of next.upserts) expect(it.assigneeId).toBe(demo.ids.bob);
    const quiet = await client.pull({ cursor: next.cursor });
    expect(quiet.upserts).toEqual([]);
    expect(quiet.removals).toEqual([]);
  });

  it('pages with limit and hasMore without skipping or repeating', async () => {
    await demo.as.olivia.claim({ count: 7, queueIds: [demo.queues[4].id] });
    const pages = await demo.as.olivia.pullAll({ limit: 2 });
    expect(pages.length).toBeGreaterThan(1);
    const ids = pages.flatMap((p) => p.upserts.map((i) => i.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(7);
  });

  it('answers reset for an unknown cursor', async () => {
    const res = await demo.as.bob.pull({ cursor: 'not-a-cursor' });
    expect(res.reset).toBe(true);
  });

  it('refuses supervisors, producers, anonymous callers and a bad limit', async () => {
    await demo.as.sam.expectProblem(403, 'GET', '/v1/sync/pull');
    await demo.as.ingest.expectProblem(403, 'GET', '/v1/sync/pull');
    await demo.anon.expectProblem(401, 'GET', '/v1/sync/pull');
    await demo.as.bob.expectProblem(400, 'GET', '/v1/sync/pull?limit=0');
    await demo.as.bob.expectProblem(400, 'GET', '/v1/sync/pull?limit=1001');
    await demo.as.bob.expectProblem(400, 'GET', '/v1/sync/pull?limit=ten');
  });
});

describe('POST /v1/sync/push', () => {
  it('applies a decision of every outcome kind and answers the current item', async () => {
    const q = demo.queues[0];
    const { items } = await demo.as.alice.claim({ count: 3, queueIds: [q.id] });
    const clientId = newClientId('endpoints');
    const reason = q.reasonCodes[0].code;
    const res = await demo.as.alice.push({
      clientId,
      mutations: [
        mutationFor('approve', items[0], 1, { comment: 'fine' }),
        mutationFor('reject', items[1], 2, { reasonCode: reason }),
        mutationFor('correct', items[2], 3, { correctedOutput: { total: 1190 } }),
      ],
    });
    expect(res.lastMutationId).toBe(3);
    expect(res.results.map((r) => [r.mutationId, r.status, r.code])).toEqual([[1, 'applied', 'ok'], [2, 'applied', 'ok'], [3, 'applied', 'ok']]);
    expect(res.results.map((r) => r.item?.outcome?.kind)).toEqual(['approve', 'reject', 'correct']);
    expect(res.results[1].item?.outcome?.reasonCode).toBe(reason);
    expect(res.results[2].item?.outcome?.correctedOutput).toEqual({ total: 1190 });
    for (const r of res.results) expect(r.item?.status).toBe('resolved');
  });

  it('escalates to the queue owner (new epoch, reaches her pull), and defers back to the queue', async () => {
    const q = demo.queues.find((x) => x.ownerId === demo.ids.olivia)!;
    const oliviaCursor = (await demo.as.olivia.pullAll({ limit: 1000 })).at(-1)!.cursor;
    const { items } = await demo.as.alice.claim({ count: 2, queueIds: [q.id] });
    const res = await demo.as.alice.push({
      clientId: newClientId('endpoints'),
      mutations: [
        mutationFor('escalate', items[0], 1, { reasonCode: q.reasonCodes[0].code, comment: 'needs owner' }),
        mutationFor('defer', items[1], 2, {}),
      ],
    });
    expect(res.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const pulled = await demo.as.olivia.pull({ cursor: oliviaCursor, limit: 1000 });
    const esc = pulled.upserts.find((i) => i.id === items[0].id);
    expect(esc).toMatchObject({ status: 'escalated', assigneeId: demo.ids.olivia });
    expect(esc!.assignmentEpoch).toBeGreaterThan(items[0].assignmentEpoch);
    expect(esc!.escalation).toMatchObject({ by: demo.ids.alice, reasonCode: q.reasonCodes[0].code });
    // The owner decides the escalation on her own epoch.
    const decided = await demo.as.olivia.push({ clientId: newClientId('olivia'), mutations: [mutationFor('approve', esc!, 1, {})] });
    expect(decided.results[0]).toMatchObject({ status: 'applied' });
  });

  it('escalates to an owner who is not a reviewer; he pulls and decides it; and an owner can roll back a decision', async () => {
    const q = demo.queues.find((x) => x.ownerId === demo.ids.omar)!;
    const omarCursor = (await demo.as.omar.pullAll({ limit: 1000 })).at(-1)!.cursor;
    const { items } = await demo.as.bob.claim({ count: 2, queueIds: [q.id] });
    const bobClient = newClientId('bob');
    const esc = await demo.as.bob.push({ clientId: bobClient, mutations: [
      mutationFor('escalate', items[0], 1, { reasonCode: q.reasonCodes[0].code }),
      mutationFor('approve', items[1], 2, {}),
    ] });
    expect(esc.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const pulled = await demo.as.omar.pull({ cursor: omarCursor, limit: 1000 });
    const mine = pulled.upserts.find((i) => i.id === items[0].id)!;
    expect(mine).toMatchObject({ status: 'escalated', assigneeId: demo.ids.omar });
    const omarClient = newClientId('omar');
    const decided = await demo.as.omar.push({ clientId: omarClient, mutations: [mutationFor('reject', mine, 1, { reasonCode: q.reasonCodes[0].code })] });
    expect(decided.results[0]).toMatchObject({ status: 'applied', item: { outcome: { kind: 'reject', by: demo.ids.omar } } });
    // Rollback: the owner reverts bob's approval on his queue; it reopens to the owner as rework.
    const rollback = await demo.as.omar.push({ clientId: omarClient, mutations: [mutationFor('revert', esc.results[1].item!, 2, { comment: 'wrong' })] });
    expect(rollback.results[0]).toMatchObject({ status: 'applied', item: { outcome: null, assigneeId: demo.ids.omar } });
    // But a reviewer cannot revert someone else's decision.
    const alice = await demo.as.alice.push({ clientId: newClientId('alice'), mutations: [mutationFor('revert', decided.results[0].item!, 1, {})] });
    expect(alice.results[0]).toMatchObject({ status: 'rejected', code: 'not_assigned', item: null });
  });

  it('reverts an escalation the owner has not acted on: it comes back to the reviewer and leaves the owner\'s set', async () => {
    const q = demo.queues.find((x) => x.ownerId === demo.ids.olivia)!;
    const oliviaCursor = (await demo.as.olivia.pullAll({ limit: 1000 })).at(-1)!.cursor;
    const { items } = await demo.as.alice.claim({ count: 1, queueIds: [q.id] });
    const clientId = newClientId('alice');
    const esc = await demo.as.alice.push({ clientId, mutations: [mutationFor('escalate', items[0], 1, { reasonCode: q.reasonCodes[0].code })] });
    expect(esc.results[0].status).toBe('applied');
    // The desk still holds its pre-escalation copy (old epoch) and reverts from it.
    const back = await demo.as.alice.push({ clientId, mutations: [mutationFor('revert', items[0], 2, { comment: 'my mistake' })] });
    expect(back.results[0]).toMatchObject({ status: 'applied', item: { status: 'leased', assigneeId: demo.ids.alice, escalation: null } });
    expect(back.results[0].item!.assignmentEpoch).toBeGreaterThan(esc.results[0].item?.assignmentEpoch ?? items[0].assignmentEpoch + 1);
    const olivia = await demo.as.olivia.pull({ cursor: oliviaCursor, limit: 1000 });
    expect(olivia.upserts.map((i) => i.id)).not.toContain(items[0].id);
    expect(olivia.removals).toContainEqual(expect.objectContaining({ itemId: items[0].id, reason: 'reassigned' }));
  });

  it('records the labor a decision carries in the event log (metrics are computed from it)', async () => {
    const { items } = await demo.as.bob.claim({ count: 1, queueIds: [demo.queues[1].id] });
    const m = mutationFor('approve', items[0], 1, {});
    await demo.as.bob.push({ clientId: newClientId('labor'), mutations: [m] });
    const db = await openProbe(demo.dbFile);
    try {
      const ev = await db.get<{ payload: string; actor_id: string }>(`SELECT payload, actor_id FROM item_events WHERE item_id = ? AND type = 'decided'`, items[0].id);
      expect(ev!.actor_id).toBe(demo.ids.bob);
      expect(JSON.parse(ev!.payload)).toMatchObject({ kind: 'approve', labor: m.labor });
    } finally {
      await db.close();
    }
  });

  it('notes, reclassifies and reverts', async () => {
    const q = demo.queues[0];
    const { items } = await demo.as.alice.claim({ count: 2, queueIds: [q.id] });
    const clientId = newClientId('endpoints');
    const target = q.exceptionClass === 'policy' ? 'confidence' : 'policy';
    const r1 = await demo.as.alice.push({
      clientId,
      mutations: [
        mutationFor('note', items[0], 1, { text: 'vendor called' }),
        mutationFor('reclassify', items[1], 2, { exceptionClass: target, reasonCode: RECLASSIFY_REASONS[0].code }),
      ],
    });
    expect(r1.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(r1.results[0].item?.notes.map((n) => n.text)).toContain('vendor called');
    expect(r1.results[1].item?.exceptionClass).toBe(target);
    expect(r1.results[1].item?.enqueuedAt).toBe(items[1].enqueuedAt);
    const noted = r1.results[0].item!;
    const r2 = await demo.as.alice.push({ clientId, mutations: [mutationFor('approve', noted, 3, {})] });
    expect(r2.results[0].status).toBe('applied');
    const approved = r2.results[0].item!;
    const r3 = await demo.as.alice.push({ clientId, mutations: [mutationFor('revert', approved, 4, { comment: 'wrong call' })] });
    expect(r3.results[0]).toMatchObject({ status: 'applied', code: 'ok' });
    expect(r3.results[0].item).toMatchObject({ outcome: null, assigneeId: demo.ids.alice });
    expect(r3.results[0].item!.status).not.toBe('resolved');
    // Reverting again has nothing to revert.
    const r4 = await demo.as.alice.push({ clientId, mutations: [mutationFor('revert', r3.results[0].item!, 5, {})] });
    expect(r4.results[0]).toMatchObject({ status: 'rejected', code: 'nothing_to_revert' });
  });

  it('a reclassify takes only reasons to reclassify, never the queue\'s reject reasons (issue 14 item 10)', async () => {
    const q = demo.queues.find((x) => x.reasonCodes.some((r) => !reclassifyReason(r.code)))!;
    const { items } = await demo.as.alice.claim({ count: 1, queueIds: [q.id] });
    const queueOnly = q.reasonCodes.find((r) => !reclassifyReason(r.code))!.code;
    const target = q.exceptionClass === 'policy' ? 'confidence' : 'policy';
    const res = await demo.as.alice.push({
      clientId: newClientId('endpoints'),
      mutations: [mutationFor('reclassify', items[0], 1, { exceptionClass: target, reasonCode: queueOnly })],
    });
    expect(res.results[0]).toMatchObject({ status: 'rejected', code: 'unknown_reason_code', message: expect.stringMatching(/not a reason to reclassify/) });
    expect(res.results[0].item?.exceptionClass).toBe(q.exceptionClass);
  });

  it('rejects (and still advances past) an unknown item, an unknown reason code and a decision on a resolved item', async () => {
    const q = demo.queues[0];
    const { items } = await demo.as.alice.claim({ count: 1, queueIds: [q.id] });
    const clientId = newClientId('endpoints');
    const fake: Pick<Item, 'id' | 'version' | 'assignmentEpoch'> = { id: 'no-such-item', version: 1, assignmentEpoch: 1 };
    const res = await demo.as.alice.push({
      clientId,
      mutations: [
        mutationFor('approve', fake, 1, {}),
        mutationFor('reject', items[0], 2, { reasonCode: 'not_a_code_of_this_queue' }),
        ...approvals(items, 3),
        mutationFor('approve', items[0], 4, {}),
      ],
    });
    expect(res.results.map((r) => [r.status, r.code])).toEqual([
      ['rejected', 'unknown_item'], ['rejected', 'unknown_reason_code'], ['applied', 'ok'], [expect.stringMatching(/rejected|conflict/), expect.any(String)],
    ]);
    expect(res.results[0].item).toBeNull();
    expect(res.lastMutationId).toBe(4);
  });

  it('refuses non-reviewers, anonymous callers, a gap, and a client id that belongs to another user', async () => {
    const { items } = await demo.as.alice.claim({ count: 1, queueIds: [demo.queues[0].id] });
    const body = { clientId: newClientId('endpoints'), mutations: approvals(items, 1) };
    await demo.as.sam.expectProblem(403, 'POST', '/v1/sync/push', body);
    await demo.as.ingest.expectProblem(403, 'POST', '/v1/sync/push', body);
    await demo.anon.expectProblem(401, 'POST', '/v1/sync/push', body);
    const gap = await demo.as.alice.expectProblem(409, 'POST', '/v1/sync/push', { ...body, mutations: approvals(items, 2) });
    expect(gap).toMatchObject({ type: PROBLEM_TYPES.mutationGap, expectedMutationId: 1 });
    const bobsClient = newClientId('bob');
    const { items: bobs } = await demo.as.bob.claim({ count: 1, queueIds: [demo.queues[0].id] });
    await demo.as.bob.push({ clientId: bobsClient, mutations: approvals(bobs, 1) });
    const stolen = await demo.as.alice.expectProblem([403, 409], 'POST', '/v1/sync/push', { clientId: bobsClient, mutations: approvals(items, 2) });
    expect(stolen.type).toBe(PROBLEM_TYPES.clientOwnedByOther);
    // None of these moved the item: alice can still decide it as mutation 1 of a fresh client.
    const ok = await demo.as.alice.push(body);
    expect(ok.results[0].status).toBe('applied');
  });
});

describe('GET /v1/decisions', () => {
  it('feeds outcomes and reverts to producers with a cursor that moves on', async () => {
    const start = await demo.as.ingest.decisions({ limit: 1000 });
    let cursor = start.cursor;
    for (let more = start.hasMore; more;) {
      const page = await demo.as.ingest.decisions({ cursor, limit: 1000 });
      cursor = page.cursor; more = page.hasMore;
    }
    const { items } = await demo.as.bob.claim({ count: 2, queueIds: [demo.queues[1].id] });
    const clientId = newClientId('feed');
    const pushed = await demo.as.bob.push({ clientId, mutations: approvals(items, 1) });
    await demo.as.bob.push({ clientId, mutations: [mutationFor('revert', pushed.results[0].item!, 3, {})] });
    const feed = await demo.as.ingest.decisions({ cursor, limit: 1000 });
    expect(feed.decisions.map((d) => [d.itemId, d.kind])).toEqual([
      [items[0].id, 'approve'], [items[1].id, 'approve'], [items[0].id, 'revert'],
    ]);
    expect(feed.decisions[0]).toMatchObject({ source: items[0].source, externalId: items[0].externalId, by: demo.ids.bob });
    const seqs = feed.decisions.map((d) => d.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const after = await demo.as.ingest.decisions({ cursor: feed.cursor });
    expect(after.decisions).toEqual([]);
  });

  it('refuses non-producers, anonymous callers and a bad limit', async () => {
    await demo.as.alice.expectProblem(403, 'GET', '/v1/decisions');
    await demo.as.sam.expectProblem(403, 'GET', '/v1/decisions');
    await demo.anon.expectProblem(401, 'GET', '/v1/decisions');
    await demo.as.ingest.expectProblem(400, 'GET', '/v1/decisions?limit=0');
    const p = await demo.as.ingest.expectProblem(400, 'GET', '/v1/decisions?cursor=not-a-cursor');
    expect(p.detail).toMatch(/cursor/);
  });
});

describe('GET /v1/decisions paging', () => {
  it('walks every decision once with limit 1', async () => {
    const start = (await demo.as.ingest.decisions({ limit: 1000 })).cursor;
    let tail = start;
    for (let more = true; more;) { const p = await demo.as.ingest.decisions({ cursor: tail, limit: 1000 }); tail = p.cursor; more = p.hasMore; }
    const { items } = await demo.as.bob.claim({ count: 3, queueIds: [demo.queues[4].id] });
    await demo.as.bob.push({ clientId: newClientId('feed-pages'), mutations: approvals(items, 1) });
    const seen: string[] = [];
    let cursor = tail;
    for (let i = 0; i < 10; i++) {
      const page = await demo.as.ingest.decisions({ cursor, limit: 1 });
      seen.push(...page.decisions.map((d) => d.itemId));
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    expect(seen).toEqual(items.map((i) => i.id));
  });
});
