// POST /v1/leases/renew (issue 8 item 4): a reviewer online extends the leases they hold, same epoch, never
// past the per-claim maximum; someone else's, expired, resolved or unknown items are untouched and listed as
// not renewed; a bad body is a 400 that changes nothing. Real server, real SQLite, clock the test controls.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseRenewResponse, MAX_CLAIM_COUNT, MAX_LEASE_MINUTES } from '../../shared/central-api';
import { CentralClient, mutationFor, newClientId } from '../helpers/central-client';
import { openProbe, snapshotOf } from '../helpers/db-snapshot';
import { startTestServer, type TestServer } from '../helpers/server';

let t = Date.parse('2026-11-28T09:00:00Z');
const now = () => new Date(t);
const advanceMinutes = (m: number) => { t += m * 60_000; };

let srv: TestServer;
let alice: CentralClient;
let bob: CentralClient;
let sam: CentralClient;

beforeAll(async () => {
  srv = await startTestServer({ seed: 'demo', now, sweepIntervalMs: 3_600_000 });
  alice = new CentralClient(srv.url, 'demo-alice');
  bob = new CentralClient(srv.url, 'demo-bob');
  sam = new CentralClient(srv.url, 'demo-sam');
});
afterAll(async () => { await srv?.close(); });

const renew = (c: CentralClient, body: unknown) => c.expectOk(LeaseRenewResponse, 'POST', '/v1/leases/renew', body);

describe('POST /v1/leases/renew', () => {
  it('extends only the leases I hold, in the same epoch; the rest are untouched and listed', async () => {
    const clientId = newClientId('renew');
    const { items: [keep, decided] } = await alice.claim({ count: 2, leaseMinutes: 30 });
    const { items: [lapsing] } = await alice.claim({ count: 1, leaseMinutes: 1 });
    const { items: [bobs] } = await bob.claim({ count: 1, leaseMinutes: 30 });
    const start = await alice.pull({ clientId });
    const pushed = await alice.push({ clientId, mutations: [mutationFor('approve', decided, 1, {})] });
    expect(pushed.results[0].status).toBe('applied');
    advanceMinutes(2);

    const probe = await openProbe(srv.dbFile);
    const rowOf = (id: string) => probe.get<Record<string, unknown>>('SELECT status, assignee_id, assignment_epoch, lease_expires_at, version FROM items WHERE id = ?', id);
    const before = { decided: await rowOf(decided.id), bobs: await rowOf(bobs.id) };

    const res = await renew(alice, { itemIds: [keep.id, decided.id, lapsing.id, bobs.id, 'no-such-item', keep.id], leaseMinutes: 120 });
    expect(res.items.map((i) => i.id)).toEqual([keep.id]);
    expect(res.items[0]).toMatchObject({ assigneeId: 'alice', status: 'leased', assignmentEpoch: keep.assignmentEpoch, leaseExpiresAt: new Date(t + 120 * 60_000).toISOString() });
    expect(res.notRenewed.sort()).toEqual([decided.id, lapsing.id, bobs.id, 'no-such-item'].sort());

    expect(await rowOf(decided.id)).toEqual(before.decided);
    expect(await rowOf(bobs.id)).toEqual(before.bobs);
    expect(await rowOf(lapsing.id)).toMatchObject({ status: 'open', assignee_id: null });
    const epochs = await probe.all('SELECT epoch FROM item_epochs WHERE item_id = ?', keep.id);
    await probe.close();
    expect(epochs).toHaveLength(1);

    // The next pull carries the new expiry; a shorter renewal never shortens a lease.
    const next = await alice.pull({ clientId, cursor: start.cursor });
    expect(next.upserts.find((i) => i.id === keep.id)?.leaseExpiresAt).toBe(res.items[0].leaseExpiresAt);
    const shorter = await renew(alice, { itemIds: [keep.id], leaseMinutes: 5 });
    expect(shorter.items[0].leaseExpiresAt).toBe(res.items[0].leaseExpiresAt);
    // Never past the per-claim maximum from now.
    const longest = await renew(alice, { itemIds: [keep.id], leaseMinutes: MAX_LEASE_MINUTES });
    expect(longest.items[0].leaseExpiresAt).toBe(new Date(t + MAX_LEASE_MINUTES * 60_000).toISOString());
    // Bob cannot renew alice's lease; a supervisor may not call it at all.
    expect((await renew(bob, { itemIds: [keep.id], leaseMinutes: 60 })).notRenewed).toEqual([keep.id]);
    await sam.expectProblem(403, 'POST', '/v1/leases/renew', { itemIds: [keep.id], leaseMinutes: 60 });
  });

  it('answers a bad body with 400 and changes nothing', async () => {
    const { items: [mine] } = await alice.claim({ count: 1, leaseMinutes: 30 });
    const before = await snapshotOf(srv.dbFile);
    const fixed = [
      {}, { itemIds: [mine.id] }, { leaseMinutes: 60 }, { itemIds: [], leaseMinutes: 60 }, { itemIds: [mine.id], leaseMinutes: 0 },
      { itemIds: [mine.id], leaseMinutes: MAX_LEASE_MINUTES + 1 }, { itemIds: [mine.id], leaseMinutes: 1.5 }, { itemIds: mine.id, leaseMinutes: 60 },
      { itemIds: Array.from({ length: MAX_CLAIM_COUNT + 1 }, (_, i) => `x${i}`), leaseMinutes: 60 }, { itemIds: [''], leaseMinutes: 60 },
    ];
    for (const body of fixed) await alice.expectProblem(400, 'POST', '/v1/leases/renew', body);
    await fc.assert(fc.asyncProperty(
      fc.record({
        itemIds: fc.oneof(fc.constant([mine.id]), fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }), fc.string(), fc.integer()),
        leaseMinutes: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: MAX_LEASE_MINUTES + 1 }), fc.double({ noInteger: true }), fc.string()),
      }, { requiredKeys: [] }),
      async (body) => { await alice.expectProblem(400, 'POST', '/v1/leases/renew', body); },
    ), { numRuns: 40 });
    expect(await snapshotOf(srv.dbFile)).toEqual(before);
  });
});
