// Issue 8, server side: authentication before the body is read, tokens that expire and can be revoked, the
// push protocol's sharp edges (an id twice in a batch, a gap on a new client, a wrong payloadHash, labor that
// cannot be true) and the lease cap. Each case is refused clearly and, where it says so, changes nothing.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../shared/central-api';
import { MAX_LABOR_WALL_MS } from '../../shared/limits';
import { createUser } from '../../server/services/users';
import { assertProblem, CentralClient, laborFor, mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, openProbe, snapshotOf } from '../helpers/db-snapshot';
import { startDemoServer, startClockedDemoServer, TestClock, type DemoServer } from '../helpers/demo-fixture';

const run = promisify(execFile);
const MiB = 1024 * 1024;

let demo: DemoServer;
beforeAll(async () => { demo = await startDemoServer(); });
afterAll(async () => { await demo?.close(); });

const claimOne = async () => (await demo.as.alice.claim({ count: 1, queueIds: [demo.queues[0].id] })).items[0];
const count = async (sql: string, ...args: unknown[]) => {
  const db = await openProbe(demo.dbFile);
  try { return Number((await db.get<{ n: number }>(sql, ...args))!.n); } finally { await db.close(); }
};

describe('authentication comes before the body', () => {
  // A body that does not even parse: answered by the auth check, it was never parsed.
  const garbage = `{"clientId": ${'['.repeat(1000)}`;
  it.each([
    ['no token, push', null, '/v1/sync/push', 401],
    ['unknown token, ingest', 'not-a-token', '/v1/exceptions', 401],
    ['a producer on push', 'demo-ingest', '/v1/sync/push', 403],
    ['a reviewer on ingest', 'demo-alice', '/v1/exceptions', 403],
    ['a reviewer on assignments', 'demo-alice', '/v1/assignments', 403],
  ] as const)('%s: %i before any parse error', async (_name, token, path, status) => {
    const res = await demo.anon.request('POST', path, undefined, { token, rawBody: garbage });
    assertProblem(res, status, path);
  });

  it('a tokenless body over every limit is answered 401, not 413', async () => {
    const res = await demo.anon.request('POST', '/v1/exceptions', undefined, { rawBody: `{"items":"${'x'.repeat(17 * MiB)}"}` });
    assertProblem(res, 401, 'tokenless 17 MiB');
  });

  it('a producer cannot make push parse a body (403 before 413)', async () => {
    const res = await demo.as.ingest.request('POST', '/v1/sync/push', undefined, { rawBody: `{"pad":"${'x'.repeat(9 * MiB)}"}` });
    assertProblem(res, 403, 'producer 9 MiB push');
  });
});

describe('tokens expire and can be revoked', () => {
  it('a token past its expiry is refused with 401 saying so', async () => {
    const clock = new TestClock();
    const server = await startClockedDemoServer(clock);
    try {
      const { token, expiresAt } = await createUser(server.running!.database.db, { id: 'tess', roles: ['reviewer'] }, clock.now(), { expiresInDays: 1 });
      expect(expiresAt).not.toBeNull();
      const tess = new CentralClient(server.url, token);
      expect((await tess.me()).id).toBe('tess');
      clock.advanceMinutes(25 * 60);
      const p = await tess.expectProblem(401, 'GET', '/v1/me');
      expect(p.detail).toMatch(/expired/);
    } finally {
      await server.close();
    }
  });

  it('`users revoke` from the CLI refuses the user\'s tokens from the next request on', async () => {
    const { token } = await demo.running!.addUser('rex', ['reviewer']);
    const rex = new CentralClient(demo.url, token);
    expect((await rex.me()).id).toBe('rex');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'users', 'revoke', 'rex', '--db', demo.dbFile]);
    expect(stdout).toMatch(/revoked 1 token/);
    const p = await rex.expectProblem(401, 'GET', '/v1/me');
    expect(p.detail).toMatch(/revoked/);
    expect((await demo.as.alice.me()).id).toBe('alice');
  });

  it('`users add` issues a token that expires by default', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'users', 'add', 'ed', '--role', 'reviewer', '--db', demo.dbFile]);
    expect(stdout).toMatch(/expires 20\d\d-/);
    expect(await count('SELECT count(*) n FROM tokens WHERE user_id = ? AND expires_at IS NOT NULL', 'ed')).toBe(1);
  });
});

describe('push protocol edges', () => {
  it('the same mutation id twice in one batch is refused as a whole (400) and changes nothing', async () => {
    const [a, b] = [await claimOne(), await claimOne()];
    const clientId = newClientId('dup-in-batch');
    const before = await snapshotOf(demo.dbFile);
    const res = await demo.as.alice.request('POST', '/v1/sync/push', { clientId, mutations: [mutationFor('approve', a, 1, {}), mutationFor('approve', b, 1, {})] });
    const p = assertProblem(res, 400, 'duplicate id in batch');
    expect(p.detail).toMatch(/mutations\.1\.mutationId: mutation ids in a batch must increase/);
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual([]);
  });

  it('a gap on a new client id answers 409 and does not create the client', async () => {
    const item = await claimOne();
    const clientId = newClientId('gap-new');
    const before = await snapshotOf(demo.dbFile);
    const p = await demo.as.alice.expectProblem(409, 'POST', '/v1/sync/push', { clientId, mutations: [mutationFor('approve', item, 2, {})] });
    expect(p).toMatchObject({ type: PROBLEM_TYPES.mutationGap, expectedMutationId: 1 });
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual([]);
    // The id is still free: another user can take it.
    const bobs = (await demo.as.bob.claim({ count: 1 })).items[0];
    expect((await demo.as.bob.push({ clientId, mutations: [mutationFor('approve', bobs, 1, {})] })).results[0].status).toBe('applied');
  });

  it('a payloadHash that is not the hash of the mutation is rejected / payload_hash_mismatch and applies nothing', async () => {
    const item = await claimOne();
    const clientId = newClientId('hash');
    const m = { ...mutationFor('approve', item, 1, {}), payloadHash: mutationFor('defer', item, 1, {}).payloadHash };
    const res = await demo.as.alice.push({ clientId, mutations: [m] });
    expect(res.results[0]).toMatchObject({ status: 'rejected', code: 'payload_hash_mismatch' });
    expect(res.lastMutationId).toBe(1);
    expect(await count("SELECT count(*) n FROM items WHERE id = ? AND status = 'leased'", item.id)).toBe(1);
    expect(await count('SELECT count(*) n FROM decisions WHERE item_id = ?', item.id)).toBe(0);
  });

  const at = new Date('2026-05-01T10:00:00.000Z');
  it.each([
    ['active longer than wall', { ...laborFor(at, 5_000), wallMs: 4_000 }, /activeMs/],
    ['idle longer than wall', { ...laborFor(at, 5_000), idleMs: 9_000 }, /idleMs/],
    ['decided before opened', { ...laborFor(at), openedAt: '2026-05-01T11:00:00.000Z' }, /decidedAt/],
    ['an absurd wall time', { ...laborFor(at), wallMs: MAX_LABOR_WALL_MS + 1 }, /wallMs/],
  ])('labor that cannot be true is refused (400, nothing changes): %s', async (_name, labor, says) => {
    const item = await claimOne();
    const before = await snapshotOf(demo.dbFile);
    const res = await demo.as.alice.request('POST', '/v1/sync/push', { clientId: newClientId('labor'), mutations: [{ ...mutationFor('approve', item, 1, {}), labor }] });
    expect(assertProblem(res, 400, 'bad labor').detail).toMatch(says);
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual([]);
  });
});

describe('lease cap', () => {
  it('a claim past the per-user cap gets only what fits; an assignment past it is refused', async () => {
    const capped = await startDemoServer({ maxLeasedPerUser: 5 });
    try {
      expect((await capped.as.alice.claim({ count: 3 })).items).toHaveLength(3);
      expect((await capped.as.alice.claim({ count: 10, leaseMinutes: 7 * 24 * 60 })).items).toHaveLength(2);
      expect((await capped.as.alice.claim({ count: 1 })).items).toHaveLength(0);
      const bobs = (await capped.as.bob.claim({ count: 2 })).items.map((i) => i.id);
      const p = await capped.as.sam.expectProblem(409, 'POST', '/v1/assignments', { itemIds: bobs, assigneeId: capped.ids.alice });
      expect(p.detail).toMatch(/cap of 5/);
    } finally {
      await capped.close();
    }
  });
});
