// Authorization matrix (every caller × every endpoint, table-driven) and ownership: a reviewer can never
// see, pull or decide an item that is not leased to them (DESIGN §5, §10 Security).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../shared/central-api';
import { CentralClient, approvals, ingestItems, mutationFor, newClientId, type RawResponse } from '../helpers/central-client';
import { createUser } from '../../server/services/users';
import { changedTables, openProbe, snapshotOf } from '../helpers/db-snapshot';
import { startDemoServer, type DemoServer } from '../helpers/demo-fixture';
import { addUsers } from '../helpers/extra-users';
import { startTestServer } from '../helpers/server';

let demo: DemoServer;
/** An admin beside the demo users (no demo user has that role). */
let extra: Record<string, string>;
beforeAll(async () => {
  demo = await startDemoServer();
  extra = await addUsers(demo.dbFile, [{ id: 'ada-admin', roles: ['admin'] }]);
});
afterAll(async () => { await demo?.close(); });

// reviewer: alice, bob; owner+reviewer: olivia; owner only: omar; supervisor: sam; producer: ingest; admin: ada.
type Caller = 'anonymous' | 'bad-token' | 'alice' | 'bob' | 'olivia' | 'omar' | 'sam' | 'ingest' | 'ada-admin';
const CALLERS: Caller[] = ['anonymous', 'bad-token', 'alice', 'bob', 'olivia', 'omar', 'sam', 'ingest', 'ada-admin'];
const USERS: Caller[] = CALLERS.filter((c) => c !== 'anonymous' && c !== 'bad-token');

function client(c: Caller): CentralClient {
  if (c === 'anonymous') return demo.anon;
  if (c === 'bad-token') return demo.anon.as('not-a-real-token');
  if (c === 'ada-admin') return demo.anon.as(extra[c]);
  return demo.as[c];
}

let seq = 0;
const METRICS_WINDOW = `from=${encodeURIComponent('2026-01-01T00:00:00Z')}&to=${encodeURIComponent('2026-12-31T00:00:00Z')}`;
let decided: Promise<string> | null = null;
/** One item of support-drafts with an outcome (alice's approval), made once, for correction rows. */
function decidedItem(): Promise<string> {
  decided ??= (async () => {
    const [it] = (await demo.as.ingest.ingest({ items: ingestItems('support-drafts', 1, { source: 'authz-corr', prefix: 'decided' }) })).items;
    const [leased] = (await demo.as.sam.assign({ itemIds: [it.id], assigneeId: demo.ids.alice })).items;
    const res = await demo.as.alice.push({ clientId: newClientId('authz-corr'), mutations: [mutationFor('approve', leased, 1, {})] });
    expect(res.results[0].status).toBe('applied');
    return it.id;
  })();
  return decided;
}
/** One valid request per endpoint; built fresh each time so state from earlier rows never matters. */
let ackedAlert: Promise<string> | null = null;
/** The demo's acknowledged rollback-trigger alert (support-drafts, olivia's): acknowledging it again changes nothing. */
function acknowledgedAlert(): Promise<string> {
  ackedAlert ??= (async () => {
    const res = await demo.as.sam.request('GET', '/v1/alerts?status=acknowledged');
    return (res.body as { alerts: { id: string; queueId: string }[] }).alerts.find((a) => a.queueId === 'support-drafts')!.id;
  })();
  return ackedAlert;
}
/** The demo history's rollback (server/seed/demo-history.ts), applied by olivia. */
const DEMO_ROLLBACK = 'rb_demo_reply-gen-2025-11';
/**
 * `hiddenFrom`: callers with the role but not the subject (another owner's rollback or alert) get 404, as if it
 * did not exist, rather than 403.
 */
const ENDPOINTS: { name: string; allowed: Caller[]; hiddenFrom?: Caller[]; send(c: CentralClient): Promise<RawResponse> }[] = [
  { name: 'GET /v1/health', allowed: CALLERS, send: (c) => c.request('GET', '/v1/health') },
  { name: 'GET /v1/openapi.json', allowed: CALLERS, send: (c) => c.request('GET', '/v1/openapi.json') },
  { name: 'GET /v1/me', allowed: USERS, send: (c) => c.request('GET', '/v1/me') },
  { name: 'GET /v1/queues', allowed: USERS, send: (c) => c.request('GET', '/v1/queues') },
  {
    name: 'POST /v1/exceptions', allowed: ['ingest'],
    send: (c) => c.request('POST', '/v1/exceptions', { items: ingestItems(demo.queues[0].id, 1, { source: 'authz', prefix: `row-${++seq}` }) }),
  },
  { name: 'POST /v1/claims', allowed: ['alice', 'bob', 'olivia'], send: (c) => c.request('POST', '/v1/claims', { count: 1 }) },
  {
    name: 'POST /v1/assignments', allowed: ['sam'],
    send: async (c) => {
      const [it] = (await demo.as.ingest.ingest({ items: ingestItems(demo.queues[0].id, 1, { source: 'authz-assign', prefix: `row-${++seq}` }) })).items;
      return c.request('POST', '/v1/assignments', { itemIds: [it.id], assigneeId: demo.ids.bob });
    },
  },
  { name: 'GET /v1/sync/pull', allowed: ['alice', 'bob', 'olivia', 'omar'], send: (c) => c.request('GET', `/v1/sync/pull?clientId=${newClientId('authz')}`) },
  {
    name: 'POST /v1/sync/push', allowed: ['alice', 'bob', 'olivia', 'omar'],
    send: (c) => c.request('POST', '/v1/sync/push', {
      clientId: newClientId('authz'),
      mutations: [mutationFor('approve', { id: 'no-such-item', version: 1, assignmentEpoch: 1 }, 1, {})],
    }),
  },
  { name: 'GET /v1/decisions', allowed: ['ingest'], send: (c) => c.request('GET', '/v1/decisions') },
  // Exception operations (issue 10): olivia owns support-drafts, omar only procurement-po; an owner of another
  // path is refused the same as a role without access.
  {
    name: 'POST /v1/runs', allowed: ['ingest'],
    send: (c) => c.request('POST', '/v1/runs', { runs: [{ source: 'authz', workflow: 'support-replies', periodStart: new Date(Date.UTC(2026, 0, 1, 0, ++seq)).toISOString(),
      periodEnd: new Date(Date.UTC(2026, 0, 2, 0, seq)).toISOString(), runs: 10 }] }),
  },
  {
    name: 'POST /v1/corrections', allowed: ['ingest'],
    send: async (c) => c.request('POST', '/v1/corrections', { corrections: [{ source: 'authz', itemId: await decidedItem(),
      detectedAt: new Date(Date.UTC(2026, 0, 1, 0, ++seq)).toISOString(), cost: { minutes: 1 }, note: 'found wrong downstream' }] }),
  },
  { name: 'GET /v1/queue-policies', allowed: ['olivia', 'omar', 'sam', 'ada-admin'], send: (c) => c.request('GET', '/v1/queue-policies') },
  {
    name: 'POST /v1/queue-policies (support-drafts)', allowed: ['olivia', 'ada-admin'],
    send: (c) => c.request('POST', '/v1/queue-policies', { queueId: 'support-drafts', idleThresholdSec: 45 }),
  },
  {
    name: 'POST /v1/rollbacks preview (support-drafts)', allowed: ['olivia', 'ada-admin'],
    send: (c) => c.request('POST', '/v1/rollbacks', { mode: 'preview', filter: { queueIds: ['support-drafts'], from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' } }),
  },
  { name: 'GET /v1/alerts', allowed: ['olivia', 'omar', 'sam', 'ada-admin'], send: (c) => c.request('GET', '/v1/alerts') },
  {
    name: 'GET /v1/rollbacks (olivia\'s)', allowed: ['olivia', 'sam', 'ada-admin'], hiddenFrom: ['omar'],
    send: (c) => c.request('GET', `/v1/rollbacks?rollbackId=${DEMO_ROLLBACK}`),
  },
  {
    name: 'POST /v1/alerts/ack (support-drafts)', allowed: ['olivia', 'sam', 'ada-admin'], hiddenFrom: ['omar'],
    send: async (c) => c.request('POST', '/v1/alerts/ack', { alertId: await acknowledgedAlert(), note: 'seen' }),
  },
  { name: 'GET /v1/metrics/team', allowed: ['olivia', 'omar', 'sam', 'ada-admin'], send: (c) => c.request('GET', `/v1/metrics/team?${METRICS_WINDOW}`) },
  {
    name: 'GET /v1/metrics/control-points (support-drafts)', allowed: ['olivia', 'sam', 'ada-admin'],
    send: (c) => c.request('GET', `/v1/metrics/control-points?${METRICS_WINDOW}&queueId=support-drafts`),
  },
  { name: 'GET /v1/metrics/exception-tax', allowed: ['olivia', 'omar', 'sam', 'ada-admin'], send: (c) => c.request('GET', `/v1/metrics/exception-tax?${METRICS_WINDOW}`) },
  // Design loop (issue 10 item 3): signals are read like the metrics; only an owner of the signal's path (or an admin) decides.
  { name: 'GET /v1/metrics/signals', allowed: ['olivia', 'omar', 'sam', 'ada-admin'], send: (c) => c.request('GET', `/v1/metrics/signals?${METRICS_WINDOW}`) },
  { name: 'GET /v1/metrics/scorecard', allowed: ['olivia', 'omar', 'sam', 'ada-admin'], send: (c) => c.request('GET', `/v1/metrics/scorecard?${METRICS_WINDOW}`) },
  // The weekly review: an owner reads and marks their own week, supervisors and admins read anyone's, admins mark for an owner.
  { name: 'GET /v1/reviews/weekly (own)', allowed: ['olivia', 'omar', 'sam', 'ada-admin'], send: (c) => c.request('GET', '/v1/reviews/weekly?week=2026-W40') },
  { name: 'GET /v1/reviews/weekly (olivia)', allowed: ['olivia', 'sam', 'ada-admin'], send: (c) => c.request('GET', '/v1/reviews/weekly?week=2026-W40&ownerId=olivia') },
  { name: 'GET /v1/reviews/weekly/export (olivia)', allowed: ['olivia', 'sam', 'ada-admin'], send: (c) => c.request('GET', '/v1/reviews/weekly/export?week=2026-W40&ownerId=olivia&format=csv') },
  {
    name: 'POST /v1/reviews/weekly (olivia)', allowed: ['olivia', 'ada-admin'],
    send: (c) => c.request('POST', '/v1/reviews/weekly', { ownerId: 'olivia', week: '2026-W40', notes: `authz row ${++seq}` }),
  },
  {
    name: 'GET /v1/metrics/scorecard (support-drafts)', allowed: ['olivia', 'sam', 'ada-admin'],
    send: (c) => c.request('GET', `/v1/metrics/scorecard?${METRICS_WINDOW}&queueId=support-drafts`),
  },
  {
    name: 'POST /v1/signals/decisions (support-drafts)', allowed: ['olivia', 'ada-admin'],
    send: (c) => c.request('POST', '/v1/signals/decisions', { signalId: 'trust_ai_further/support-drafts', decision: 'accept', reason: `authz row ${++seq}` }),
  },
  // Read-only items behind a figure: the ids of others' paths answer 200 with them as `missing` (ops-metrics-buckets.test.ts).
  { name: 'GET /v1/items', allowed: ['olivia', 'omar', 'sam', 'ada-admin'], send: (c) => c.request('GET', '/v1/items?ids=itm-none') },
];

describe('authorization matrix', () => {
  const rows = ENDPOINTS.flatMap((e) => CALLERS.map((c) => ({ endpoint: e.name, caller: c, allowed: e.allowed.includes(c), e })));
  it.each(rows)('$endpoint as $caller -> allowed: $allowed', async ({ e, caller, allowed }) => {
    const res = await e.send(client(caller));
    if (allowed) {
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(200);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    } else if (e.hiddenFrom?.includes(caller)) {
      expect(res.status, JSON.stringify(res.body)).toBe(404);
      expect((res.body as { type: string }).type).toBe(PROBLEM_TYPES.notFound);
    } else {
      const expected = caller === 'anonymous' || caller === 'bad-token' ? 401 : 403;
      expect(res.status, JSON.stringify(res.body)).toBe(expected);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((res.body as { type: string }).type).toBe(expected === 401 ? PROBLEM_TYPES.unauthorized : PROBLEM_TYPES.forbidden);
    }
  });
});

describe('ownership: bob can never see, pull or decide alice\'s items', () => {
  it('keeps alice\'s leased items out of bob\'s pull, refuses his decisions without showing him the item, and leaves them hers', async () => {
    const q = demo.queues[1];
    const bobStart = (await demo.as.bob.pullAll({ limit: 1000 })).at(-1)!.cursor;
    const { items: mine } = await demo.as.alice.claim({ count: 4, queueIds: [q.id] });
    expect(mine).toHaveLength(4);
    const mineIds = new Set(mine.map((i) => i.id));

    const bobPull = await demo.as.bob.pullAll({ limit: 1000 });
    const bobDelta = await demo.as.bob.pull({ cursor: bobStart, limit: 1000 });
    for (const page of [...bobPull, bobDelta]) {
      expect(page.upserts.filter((i) => mineIds.has(i.id))).toEqual([]);
      expect(page.removals.filter((r) => mineIds.has(r.itemId))).toEqual([]);
    }

    const before = await snapshotOf(demo.dbFile);
    const bobClient = newClientId('bob-thief');
    const reason = q.reasonCodes[0].code;
    const res = await demo.as.bob.push({
      clientId: bobClient,
      mutations: [
        mutationFor('approve', mine[0], 1, {}),
        mutationFor('reject', mine[1], 2, { reasonCode: reason }),
        mutationFor('escalate', mine[2], 3, { reasonCode: reason }),
        mutationFor('note', mine[3], 4, { text: 'peek' }),
      ],
    });
    for (const r of res.results) {
      expect(r.status).toBe('rejected');
      expect(r.code).toBe('not_assigned');
      expect(r.item).toBeNull();
    }
    // Only bob's own bookkeeping (his client, its stored results, his change feed) may have changed.
    const changed = changedTables(before, await snapshotOf(demo.dbFile));
    expect(changed.filter((t) => !['clients', 'client_mutations', 'change_log'].includes(t))).toEqual([]);

    // A supervisor reassignment is not bob's either: assignments are refused to him.
    await demo.as.bob.expectProblem(403, 'POST', '/v1/assignments', { itemIds: [mine[0].id], assigneeId: demo.ids.bob });
    // Bob cannot claim them away while alice's lease runs.
    const grab = await demo.as.bob.claim({ count: 1000, queueIds: [q.id] });
    expect(grab.items.filter((i) => mineIds.has(i.id))).toEqual([]);

    // They are still alice's, unchanged, and she can decide them.
    const seen = (await demo.as.alice.pullAll({ limit: 1000 })).flatMap((p) => p.upserts).filter((i) => mineIds.has(i.id));
    expect(seen.map((i) => [i.id, i.version, i.assigneeId]).sort()).toEqual(mine.map((i) => [i.id, i.version, demo.ids.alice]).sort());
    const alice = await demo.as.alice.push({ clientId: newClientId('alice'), mutations: approvals(mine, 1) });
    expect(alice.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(alice.results.map((r) => r.item?.outcome?.by)).toEqual(mine.map(() => demo.ids.alice));
  });

  it('does not let alice push on bob\'s client id', async () => {
    const bobClient = newClientId('bob');
    const { items } = await demo.as.bob.claim({ count: 1, queueIds: [demo.queues[2].id] });
    await demo.as.bob.push({ clientId: bobClient, mutations: approvals(items, 1) });
    const p = await demo.as.alice.expectProblem([403, 409], 'POST', '/v1/sync/push', {
      clientId: bobClient, mutations: [mutationFor('approve', { id: 'no-such-item', version: 1, assignmentEpoch: 1 }, 2, {})],
    });
    expect(p.type).toBe(PROBLEM_TYPES.clientOwnedByOther);
    // Nor read bob's mutation results through pull on his client id.
    const res = await demo.as.alice.request('GET', `/v1/sync/pull?clientId=${bobClient}`);
    if (res.status === 200) expect((res.body as { results: unknown[] }).results).toEqual([]);
    else expect(res.status).toBe(403);
  });

  it('shows an escalation to the queue owner only, not to another reviewer', async () => {
    const q = demo.queues.find((x) => x.ownerId === demo.ids.olivia)!;
    const bobStart = (await demo.as.bob.pullAll({ limit: 1000 })).at(-1)!.cursor;
    const { items } = await demo.as.alice.claim({ count: 1, queueIds: [q.id] });
    const esc = await demo.as.alice.push({ clientId: newClientId('alice'), mutations: [mutationFor('escalate', items[0], 1, { reasonCode: q.reasonCodes[0].code })] });
    expect(esc.results[0].status).toBe('applied');
    const bob = await demo.as.bob.pull({ cursor: bobStart, limit: 1000 });
    expect(bob.upserts.map((i) => i.id)).not.toContain(items[0].id);
    // After the escalation alice no longer holds it: her further decision is refused.
    const late = await demo.as.alice.push({ clientId: newClientId('alice'), mutations: [mutationFor('approve', items[0], 1, {})] });
    expect(late.results[0].status).not.toBe('applied');
    // ...and the answer does not show her the owner's item.
    expect(late.results[0].item).toBeNull();
  });
});

describe('tokens', () => {
  it('are stored only as SHA-256 hashes', async () => {
    const db = await openProbe(demo.dbFile);
    try {
      const rows = await db.all<{ token_hash: string }>('SELECT token_hash FROM tokens');
      expect(rows.length).toBeGreaterThanOrEqual(7);
      for (const r of rows) expect(r.token_hash).toMatch(/^[0-9a-f]{64}$/);
      const text = JSON.stringify(await db.all('SELECT * FROM tokens'));
      for (const t of ['demo-alice', 'demo-sam', extra['ada-admin']]) expect(text).not.toContain(t);
    } finally {
      await db.close();
    }
  });

  it('demo tokens are refused by a database that was not seeded as demo', async () => {
    const plain = await startTestServer();
    try {
      await plain.server.addUser('alice', ['reviewer']);
      // Even a demo-flagged row for the well-known token does not open a non-demo database.
      await createUser(plain.server.database.db, { id: 'alice', roles: ['reviewer'] }, new Date(), { token: 'demo-alice', demo: true });
      const p = await new CentralClient(plain.url, 'demo-alice').expectProblem(401, 'GET', '/v1/me');
      expect(p.detail).toMatch(/demo/);
    } finally {
      await plain.close();
    }
  });
});
