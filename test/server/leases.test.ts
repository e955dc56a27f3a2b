// Leases on a clock the test controls: expiry returns the item to its queue with an event and a
// `lease_expired` removal; decisions on old leases are conflicts with the reason; reassignment; reset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactChangeLog, compactOlderThan } from '../../server/services/pull';
import { DEFER_COOLDOWN_MINUTES } from '../../shared/defer-policy';
import { QueuePoliciesResponse, QueuePolicy } from '../../shared/ops-api';
import { CentralClient, mutationFor, newClientId } from '../helpers/central-client';
import { openProbe } from '../helpers/db-snapshot';
import { startTestServer, type TestServer } from '../helpers/server';

let t = Date.parse('2026-11-28T09:00:00Z');
const now = () => new Date(t);
const advanceMinutes = (m: number) => { t += m * 60_000; };

let srv: TestServer;
let alice: CentralClient;
let bob: CentralClient;
let sam: CentralClient;

beforeAll(async () => {
  srv = await startTestServer({ seed: 'demo', now, sweepIntervalMs: 60_000 });
  alice = new CentralClient(srv.url, 'demo-alice');
  bob = new CentralClient(srv.url, 'demo-bob');
  sam = new CentralClient(srv.url, 'demo-sam');
});
afterAll(async () => { await srv?.close(); });

describe('leases', () => {
  it('expires a lease lazily on the next pull, and a late decision is a lease_expired conflict', async () => {
    const clientId = newClientId('exp');
    const { items: [item] } = await alice.claim({ count: 1, leaseMinutes: 5 });
    expect(item.leaseExpiresAt).toBe(new Date(t + 5 * 60_000).toISOString());
    const start = await alice.pull({ clientId });
    advanceMinutes(6);
    const next = await alice.pull({ clientId, cursor: start.cursor });
    expect(next.removals).toEqual([{ itemId: item.id, reason: 'lease_expired' }]);

    // bob claims it under a new epoch; alice's decision on the old one conflicts and never applies.
    const { items: bobs } = await bob.claim({ count: 1, queueIds: [item.queueId] });
    expect(bobs[0]).toMatchObject({ id: item.id, assignmentEpoch: item.assignmentEpoch + 1, assigneeId: 'bob' });
    const late = await alice.push({ clientId, mutations: [mutationFor('approve', item, 1, {})] });
    expect(late.results[0]).toMatchObject({ status: 'conflict', code: 'lease_expired' });
    // ...and never shows alice the item now leased to bob.
    expect(late.results[0].item).toBeNull();

    const db = await openProbe(srv.dbFile);
    const types = (await db.all<{ type: string }>('SELECT type FROM item_events WHERE item_id = ? ORDER BY seq', item.id)).map((r) => r.type);
    await db.close();
    // alice's late decision changed nothing; only her labor on it is recorded (issue 8 item 5).
    expect(types).toEqual(['created', 'enqueued', 'claimed', 'lease_expired', 'claimed', 'labor']);
  });

  it('expires leases on the sweep timer too', async () => {
    const { items: [item] } = await alice.claim({ count: 1, leaseMinutes: 1 });
    advanceMinutes(2);
    expect(await srv.server.sweepLeases()).toBeGreaterThanOrEqual(1);
    const db = await openProbe(srv.dbFile);
    const row = await db.get('SELECT status, assignee_id FROM items WHERE id = ?', item.id);
    await db.close();
    expect(row).toEqual({ status: 'open', assignee_id: null });
  });

  it('reassigns through a supervisor: the old holder sees `reassigned`, their decision conflicts', async () => {
    const clientId = newClientId('reas');
    const { items: [item] } = await alice.claim({ count: 1 });
    const start = await alice.pull({ clientId });
    const { items: [moved] } = await sam.assign({ itemIds: [item.id], assigneeId: 'bob' });
    expect(moved).toMatchObject({ assigneeId: 'bob', assignmentEpoch: item.assignmentEpoch + 1, status: 'leased' });
    const next = await alice.pull({ clientId, cursor: start.cursor });
    expect(next.removals).toContainEqual({ itemId: item.id, reason: 'reassigned' });
    const late = await alice.push({ clientId, mutations: [mutationFor('approve', item, 1, {})] });
    expect(late.results[0]).toMatchObject({ status: 'conflict', code: 'reassigned' });
    expect((await bob.pull()).upserts.map((i) => i.id)).toContain(item.id);
    await sam.expectProblem(404, 'POST', '/v1/assignments', { itemIds: ['no-such-item'], assigneeId: 'bob' });
    await sam.expectProblem(400, 'POST', '/v1/assignments', { itemIds: [item.id], assigneeId: 'ingest' });
  });

  it('pages a snapshot, then resets on an unknown or compacted cursor', async () => {
    await bob.claim({ count: 25 });
    const pages = await bob.pullAll({ limit: 10 });
    expect(pages[0].reset).toBe(true);
    expect(pages.slice(1).every((p) => !p.reset)).toBe(true);
    const ids = pages.flatMap((p) => p.upserts.map((i) => i.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(25);

    const bogus = await bob.pull({ cursor: 'c.someone-elses-db.12' });
    expect(bogus.reset).toBe(true);
    const last = pages.at(-1)!.cursor;
    await bob.claim({ count: 1 });
    const pos = Number(last.split('.')[2]);
    await compactChangeLog(srv.server.database.db, pos + 1);
    const old = await bob.pull({ cursor: last });
    expect(old.reset).toBe(true);
    expect(old.upserts.length).toBe(ids.length + 1);

    // Retention: a month later the log before then is compacted and a cursor from then gets a reset.
    const recent = await bob.pull({ cursor: old.cursor });
    expect(recent.reset).toBe(false);
    await bob.claim({ count: 1 });
    advanceMinutes(31 * 24 * 60);
    expect(await compactOlderThan(srv.server.database.db, now(), 30)).toBeGreaterThan(0);
    expect((await bob.pull({ cursor: recent.cursor })).reset).toBe(true);
  });
});

describe('defer', () => {
  it('a deferred item goes to someone else, and comes back to whoever deferred it only after the cooldown (issue 14 item 3)', async () => {
    const clientId = newClientId('defer');
    const { items: [item] } = await alice.claim({ count: 1 });
    const queueIds = [item.queueId];
    const deferred = await alice.push({ clientId, mutations: [mutationFor('defer', item, 1, {})] });
    expect(deferred.results[0]).toMatchObject({ status: 'applied' });
    // The deferred item is the oldest SLA due open item of its queue: a claim would take it first, but not alice's.
    const again = await alice.claim({ count: 1, queueIds });
    expect(again.items.map((i) => i.id)).not.toContain(item.id);
    const bobs = await bob.claim({ count: 1, queueIds });
    expect(bobs.items.map((i) => i.id)).toEqual([item.id]);
    const bobClient = newClientId('defer-bob');
    expect((await bob.push({ clientId: bobClient, mutations: [mutationFor('defer', bobs.items[0], 1, {})] })).results[0].status).toBe('applied');

    advanceMinutes(DEFER_COOLDOWN_MINUTES - 1);
    expect((await alice.claim({ count: 1, queueIds })).items.map((i) => i.id)).not.toContain(item.id);
    advanceMinutes(2);
    expect((await alice.claim({ count: 1, queueIds })).items.map((i) => i.id)).toEqual([item.id]);
  });

  it("the cooldown is the item's queue policy: 0 gives it straight back, 5 min keeps it away that long; bad values change nothing", async () => {
    const olivia = new CentralClient(srv.url, 'demo-olivia');
    const policyOf = async (queueId: string) =>
      (await olivia.expectOk(QueuePoliciesResponse, 'GET', '/v1/queue-policies')).policies.find((p) => p.queueId === queueId)!;
    const { items: [first] } = await alice.claim({ count: 1 });
    const queueIds = [first.queueId];
    expect((await policyOf(first.queueId)).deferCooldownMinutes).toBe(DEFER_COOLDOWN_MINUTES); // a row that never set it

    for (const bad of [-1, 1441, 2.5, '5', null]) {
      await olivia.expectProblem(400, 'POST', '/v1/queue-policies', { queueId: first.queueId, deferCooldownMinutes: bad });
    }
    const before = await policyOf(first.queueId);
    expect(before.deferCooldownMinutes).toBe(DEFER_COOLDOWN_MINUTES);

    const zero = await olivia.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: first.queueId, deferCooldownMinutes: 0 });
    expect(zero.deferCooldownMinutes).toBe(0);
    expect((await alice.queues()).queues.find((q) => q.id === first.queueId)?.deferCooldownMinutes).toBe(0);
    expect((await alice.push({ clientId: newClientId('cool0'), mutations: [mutationFor('defer', first, 1, {})] })).results[0].status).toBe('applied');
    const { items: [back] } = await alice.claim({ count: 1, queueIds });
    expect(back.id).toBe(first.id);

    await olivia.expectOk(QueuePolicy, 'POST', '/v1/queue-policies', { queueId: first.queueId, deferCooldownMinutes: 5 });
    expect((await alice.push({ clientId: newClientId('cool5'), mutations: [mutationFor('defer', back, 1, {})] })).results[0].status).toBe('applied');
    advanceMinutes(4);
    expect((await alice.claim({ count: 1, queueIds })).items.map((i) => i.id)).not.toContain(first.id);
    advanceMinutes(2);
    expect((await alice.claim({ count: 1, queueIds })).items.map((i) => i.id)).toContain(first.id);
  });
});
