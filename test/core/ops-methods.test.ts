// The operations desk methods (`ops.*`) against the real reference server: a reviewer is refused in the
// core before anything reaches the network; an owner reads the escalations leased to them, with why they
// came; a supervisor's reassignment reaches the reviewer's next pull.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/index';
import { DESK_METHOD_NAMES, type DeskMethod } from '../../shared/desk-api';
import { OPS_METHOD_ROLES, mayCallOpsMethod } from '../../shared/ops-access';
import { startTestServer, type TestServer } from '../helpers/server';
import { memorySecretStore } from '../../electron/core/secret-store';
import { demoCore, ok, tmpDir } from './core-fixture';

const OPS_METHODS = DESK_METHOD_NAMES.filter((m) => m.startsWith('ops.'));

/** A valid input for every ops method, so the refusal tested is the role gate, not the schema. */
const VALID_INPUT: Partial<Record<DeskMethod, unknown>> = {
  'ops.escalations': {},
  'ops.assign': { itemIds: ['itm-1'], assigneeId: 'bob' },
  'ops.team': { window: '7d' },
  'ops.controlPoints': { window: '7d' },
  'ops.tax': { window: '7d' },
  'ops.items': { itemIds: ['itm-1'] },
  'ops.signals': { window: '28d' },
  'ops.decideSignal': { signalId: 'trust_ai_further/support-drafts', decision: 'accept', reason: 'yes' },
  'ops.scorecard': { window: '28d' },
  'ops.weekly': { week: '2026-W48' },
  'ops.markWeekly': { week: '2026-W48', notes: 'fine' },
  'ops.weeklyExport': { week: '2026-W48', format: 'md' },
  'ops.override': { itemId: 'itm-1', version: 3, assignmentEpoch: 1, override: { outcome: 'approve', reason: 'the model was right' } },
  'ops.definitions': {},
  'ops.alerts': {},
  'ops.ackAlert': { alertId: 'alert-1' },
  'ops.rollbackPreview': { filter: { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' } },
  'ops.rollbackApply': { rollbackId: 'rb-12345678', filter: { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }, reason: 'model v3 was wrong' },
  'ops.rollbackProgress': { rollbackId: 'rb-12345678' },
};

let server: TestServer;
const tmp = tmpDir('ops');
const cores: Core[] = [];

async function deskFor(user: 'alice' | 'bob' | 'olivia' | 'sam', serverUrl = server.url): Promise<Core> {
  const core = await demoCore(serverUrl, tmp.file(`${user}-${cores.length}.sqlite`));
  cores.push(core);
  await ok(core, 'session.connectDemo', { user });
  return core;
}

beforeAll(async () => {
  server = await startTestServer({ seed: 'demo' });
});
afterAll(async () => {
  for (const c of cores) await c.close();
  await server?.close();
  tmp.cleanup();
});

describe('the role gate of ops methods', () => {
  it('every ops method has a role rule and a test input (a new method cannot slip past the gate untested)', () => {
    expect(OPS_METHODS.length).toBeGreaterThan(0);
    for (const m of OPS_METHODS) {
      expect(Object.hasOwn(OPS_METHOD_ROLES, m), `${m} has a role rule`).toBe(true);
      expect(Object.hasOwn(VALID_INPUT, m), `${m} has a test input`).toBe(true);
      expect(mayCallOpsMethod(['reviewer'], m), `${m} is refused to reviewers`).toBe(false);
    }
  });

  it('refuses a reviewer every ops method in the core, before any request reaches the server', async () => {
    // A server that only knows who alice is: any other request it sees is counted.
    const seen: string[] = [];
    const fake: Server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/v1/me') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'alice', name: 'Alice', roles: ['reviewer'] }));
        return;
      }
      seen.push(`${req.method} ${path}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
      const core = await demoCore(url, tmp.file('alice-fake.sqlite'));
      cores.push(core);
      await ok(core, 'session.connect', { serverUrl: url, token: 'whatever' });
      for (const m of OPS_METHODS) {
        const r = await core.call(m, VALID_INPUT[m]);
        expect(r, m).toMatchObject({ ok: false, error: { code: 'forbidden' } });
        if (!r.ok) expect(r.error.message, m).toMatch(/reviewer/);
      }
      expect(seen).toEqual([]);
    } finally {
      await new Promise((r) => fake.close(r));
    }
  });

  it('refuses the real demo reviewer too, and answers not_signed_in when signed out', async () => {
    const alice = await deskFor('alice');
    for (const m of OPS_METHODS) {
      const r = await alice.call(m, VALID_INPUT[m]);
      expect(r, m).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    await ok(alice, 'session.signOut', {});
    const r = await alice.call('ops.escalations', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
  });

  it('checks the input before the role: bad input is bad_input for everyone', async () => {
    const sam = await deskFor('sam');
    const r = await sam.call('ops.assign', { itemIds: [], assigneeId: 'bob' });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });
});

describe('escalations and reassignment', () => {
  it("an item alice escalates reaches its owner's escalations, with who, why and her note", async () => {
    const alice = await deskFor('alice');
    await ok(alice, 'settings.set', { claimTargetSize: 40 });
    await ok(alice, 'sync.now', {});
    // Find an item whose queue olivia owns.
    const page = await ok(alice, 'queue.page', { limit: 200 });
    const queues = (await ok(alice, 'queue.list', {})).queues;
    const owned = new Set(queues.filter((q) => q.ownerId === 'olivia').map((q) => q.id));
    const row = page.rows.find((r) => owned.has(r.queueId));
    expect(row, 'alice holds an item of a queue olivia owns').toBeDefined();
    const queue = queues.find((q) => q.id === row!.queueId)!;
    const reason = queue.reasonCodes[0];
    await ok(alice, 'triage.open', { itemId: row!.id });
    await ok(alice, 'triage.decide', { itemId: row!.id, kind: 'escalate', payload: { reasonCode: reason.code, comment: 'total looks doctored' } });
    const after = await ok(alice, 'sync.now', {});
    expect(after.pending).toBe(0);

    const olivia = await deskFor('olivia');
    await ok(olivia, 'sync.now', {});
    const { escalations } = await ok(olivia, 'ops.escalations', {});
    const mine = escalations.find((e) => e.item.id === row!.id);
    expect(mine).toBeDefined();
    expect(mine!.item.status).toBe('escalated');
    expect(mine!.item.escalation).toMatchObject({ by: 'alice', reasonCode: reason.code, comment: 'total looks doctored' });
    expect(mine!.reasonLabel).toBe(reason.label);
    expect(escalations.every((e) => e.item.status === 'escalated' && e.item.assigneeId === 'olivia')).toBe(true);

    // Decided with the ordinary triage path, it leaves the escalations at once.
    await ok(olivia, 'triage.open', { itemId: row!.id });
    await ok(olivia, 'triage.decide', { itemId: row!.id, kind: 'approve', payload: {} });
    const again = await ok(olivia, 'ops.escalations', {});
    expect(again.escalations.some((e) => e.item.id === row!.id)).toBe(false);
  });

  it('an owner reads the items behind a figure and overrides an outcome with a reason; others\' items are missing', async () => {
    const alice = await deskFor('alice');
    await ok(alice, 'settings.set', { claimTargetSize: 40 });
    await ok(alice, 'sync.now', {});
    const page = await ok(alice, 'queue.page', { limit: 200 });
    const queues = (await ok(alice, 'queue.list', {})).queues;
    const owned = new Set(queues.filter((q) => q.ownerId === 'olivia').map((q) => q.id));
    const mine = page.rows.find((r) => owned.has(r.queueId))!;
    expect(mine, 'alice holds an item of a queue olivia owns').toBeDefined();
    await ok(alice, 'triage.open', { itemId: mine.id });
    await ok(alice, 'triage.decide', { itemId: mine.id, kind: 'approve', payload: {} });
    expect((await ok(alice, 'sync.now', {})).pending).toBe(0);

    const olivia = await deskFor('olivia');
    const read = await ok(olivia, 'ops.items', { itemIds: [mine.id, 'itm-does-not-exist'] });
    expect(read.freshness.fromCache).toBe(false);
    expect(read.data.missing).toEqual(['itm-does-not-exist']);
    // Another owner is told nothing about it: missing, exactly like an id that does not exist.
    const omar = await demoCore(server.url, tmp.file(`omar-${cores.length}.sqlite`));
    cores.push(omar);
    await ok(omar, 'session.connect', { serverUrl: server.url, token: 'demo-omar' });
    expect((await ok(omar, 'ops.items', { itemIds: [mine.id, 'itm-does-not-exist'] })).data).toEqual({ items: [], missing: [mine.id, 'itm-does-not-exist'] });
    const [{ item, history }] = read.data.items;
    expect(item).toMatchObject({ id: mine.id, status: 'resolved', outcome: { kind: 'approve', by: 'alice' } });
    expect(history.at(-1)).toMatchObject({ type: 'decided', actorId: 'alice', outcome: 'approve' });

    const reason = queues.find((q) => q.id === mine.queueId)!.reasonCodes[0].code;
    const over = await ok(olivia, 'ops.override', {
      itemId: item.id, version: item.version, assignmentEpoch: item.assignmentEpoch, override: { outcome: 'reject', reasonCode: reason, reason: 'the vendor is blocked' },
    });
    expect(over.item).toMatchObject({ status: 'resolved', outcome: { kind: 'reject', by: 'olivia', reasonCode: reason, comment: 'the vendor is blocked' } });
    const after = await ok(olivia, 'ops.items', { itemIds: [mine.id] });
    expect(after.data.items[0].history.slice(-2)).toMatchObject([{ type: 'reverted', actorId: 'olivia' }, { type: 'decided', actorId: 'olivia', outcome: 'reject' }]);
    // The same outcome again (its epoch has moved on): refused in words, nothing changes.
    const again = await olivia.call('ops.override', {
      itemId: item.id, version: item.version, assignmentEpoch: item.assignmentEpoch, override: { outcome: 'approve', reason: 'second thoughts' },
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    if (!again.ok) expect(again.error.message).toMatch(/no longer the current one/);
    // The next override follows on in the ops client's own numbering (an override of the owner's own outcome is refused by the server: a revert is for that).
    const own = await olivia.call('ops.override', {
      itemId: item.id, version: over.item.version, assignmentEpoch: over.item.assignmentEpoch, override: { outcome: 'approve', reason: 'mine' },
    });
    expect(own).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    if (!own.ok) expect(own.error.message).toMatch(/your own/);
    // The supervisor reads it too, but overriding is the owner's: refused in the core.
    const sam = await deskFor('sam');
    expect((await ok(sam, 'ops.items', { itemIds: [mine.id] })).data.items[0].item.outcome).toMatchObject({ by: 'olivia' });
    expect(await sam.call('ops.override', { itemId: item.id, version: 1, assignmentEpoch: 0, override: { outcome: 'approve', reason: 'x' } }))
      .toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it("a supervisor's reassignment reaches the reviewer's next pull", async () => {
    const bob = await deskFor('bob');
    const alice = await deskFor('alice');
    await ok(alice, 'settings.set', { claimTargetSize: 10 });
    await ok(alice, 'sync.now', {});
    const fromAlice = (await ok(alice, 'queue.page', { limit: 3 })).rows.map((r) => r.id);
    expect(fromAlice).toHaveLength(3);

    const sam = await deskFor('sam');
    const res = await ok(sam, 'ops.assign', { itemIds: fromAlice, assigneeId: 'bob' });
    expect(res.assigned.map((a) => a.itemId).sort()).toEqual([...fromAlice].sort());
    expect(res.assigned.every((a) => a.assigneeId === 'bob')).toBe(true);

    await ok(bob, 'sync.now', {});
    for (const id of fromAlice) {
      const d = await ok(bob, 'item.get', { itemId: id });
      expect(d.item.assigneeId).toBe('bob');
    }
    const unknown = await sam.call('ops.assign', { itemIds: ['no-such-item'], assigneeId: 'bob' });
    expect(unknown).toMatchObject({ ok: false });
  });
});

// ---------- the last answer of each view, readable offline ----------

const INTERVAL = { from: '2026-11-21T09:00:00.000Z', to: '2026-11-28T09:00:00.000Z' };
const recompute = { itemIds: ['itm-1'], itemIdsTotal: 1, filter: { queueId: 'q1' } };
const figure = (metric: string, value: number | null, n: number) => ({ metric, value, n, interval: INTERVAL, recompute });
const pct = (metric: string) => ({ metric, n: 25, p50: 12, p90: 40, max: 90, interval: INTERVAL, recompute });

function teamBody(computedAt: string, outcomes: number) {
  return {
    interval: INTERVAL, computedAt, throughput: figure('throughput', outcomes, outcomes),
    perDay: [{ day: '2026-11-27', outcomes }],
    reviewers: [{
      reviewerId: 'alice', outcomes: figure('throughput', outcomes, outcomes), staffedHours: 3,
      outcomesPerStaffedHour: figure('outcomes_per_staffed_hour', outcomes / 3, 3), laborMinutes: 30, reworkLaborMinutes: 2, handleTime: pct('handle_time'),
    }],
    activeNow: { count: 1, reviewerIds: ['bob'], since: INTERVAL.to },
  };
}
function controlPointsBody(computedAt: string) {
  return {
    interval: INTERVAL, computedAt,
    controlPoints: [{
      queueId: 'q1', workflow: 'invoice-extraction', stage: 'post-to-ledger', exceptionClass: 'confidence', ownerId: 'olivia', slaTargetMinutes: 240,
      depth: figure('queue_depth', 7, 7), age: pct('age'), timeToFirstTouch: pct('time_to_first_touch'), resolutionTime: pct('resolution_time'),
      withinSla: { achieved: 9, breached: 1, percent: figure('within_sla', 90, 10) }, breachedWhileOpen: figure('breached_while_open', 1, 1),
      atRisk: [{ itemId: 'itm-2', slaDueAt: INTERVAL.to, minutesLeft: 20, status: 'leased', assigneeId: 'alice' }],
      approvalLatency: pct('approval_latency'),
    }],
  };
}

describe('ops reads offline', () => {
  let fake: Server;
  let url: string;
  let answer: 'ok' | 'forbidden' | 'broken' = 'ok';
  const asked: string[] = [];
  // The token outlives the desk process, as in the OS keyring.
  const secrets = memorySecretStore();

  beforeAll(async () => {
    fake = createServer((req, res) => {
      const [path, query] = (req.url ?? '').split('?');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path === '/v1/me') return send(200, { id: 'sam', name: 'Sam', roles: ['supervisor'], serverId: 'srv-ops-fake' });
      if (path === '/v1/claims') return send(403, { type: 'about:blank', title: 'Forbidden', status: 403 });
      asked.push(`${path}?${query}`);
      if (answer === 'forbidden') return send(403, { type: 'https://errors/forbidden', title: 'Forbidden', status: 403, detail: 'not yours' });
      if (answer === 'broken') return send(200, { interval: INTERVAL });
      if (path === '/v1/metrics/team') {
        const from = new URLSearchParams(query).get('from')!;
        // "today" asks from midnight: give it its own figures and an older computation time.
        return send(200, from.endsWith('T00:00:00.000Z') ? teamBody('2026-11-28T08:59:00.000Z', 4) : teamBody('2026-11-28T09:00:00.000Z', 60));
      }
      if (path === '/v1/metrics/control-points') return send(200, controlPointsBody('2026-11-28T09:00:30.000Z'));
      send(404, { type: 'about:blank', title: 'Not found', status: 404 });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });

  it('serves the last answer with its computation time when the server is away, and only then', async () => {
    const core = await demoCore(url, tmp.file('sam-offline.sqlite'), { secrets });
    cores.push(core);
    await ok(core, 'session.connect', { serverUrl: url, token: 'demo-sam' });

    const live = await ok(core, 'ops.team', { window: '7d' });
    expect(live.freshness).toMatchObject({ fromCache: false, staleReason: null, computedAt: '2026-11-28T08:59:00.000Z' });
    expect(live.data.team.throughput.value).toBe(60);
    expect(live.data.today.throughput.value).toBe(4);
    expect(live.data.controlPoints.controlPoints[0].depth.value).toBe(7);
    const spans = asked.filter((a) => a.startsWith('/v1/metrics/team')).map((a) => new URLSearchParams(a.split('?')[1]));
    expect(spans.some((q) => Date.parse(q.get('to')!) - Date.parse(q.get('from')!) === 7 * 86_400_000)).toBe(true);

    const cp = await ok(core, 'ops.controlPoints', { window: '7d' });
    expect(cp.data.assignees).toEqual(['alice', 'bob']);

    // The server refuses: that is an answer, not an absence; nothing stored is served.
    answer = 'forbidden';
    expect(await core.call('ops.team', { window: '7d' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // The server breaks the contract: an error, and the stored answer is not overwritten.
    answer = 'broken';
    expect(await core.call('ops.team', { window: '7d' })).toMatchObject({ ok: false, error: { code: 'server' } });

    await new Promise((r) => fake.close(r));
    const offline = await ok(core, 'ops.team', { window: '7d' });
    expect(offline.freshness).toMatchObject({ fromCache: true, computedAt: '2026-11-28T08:59:00.000Z', fetchedAt: live.freshness.fetchedAt });
    expect(offline.freshness.staleReason).toMatch(/ECONNREFUSED|refused|fetch failed/i);
    expect(offline.data).toEqual(live.data);
    const cpOffline = await ok(core, 'ops.controlPoints', { window: '7d' });
    expect(cpOffline.freshness.fromCache).toBe(true);
    expect(cpOffline.data).toEqual(cp.data);

    // A window never fetched has nothing to show: a clear network error.
    const never = await core.call('ops.team', { window: '28d' });
    expect(never).toMatchObject({ ok: false, error: { code: 'network' } });
    if (!never.ok) expect(never.error.message).toMatch(/no earlier answer/);
  });

  it('keeps the stored answers after a restart of the desk (they are in the cache file)', async () => {
    const file = tmp.file('sam-offline.sqlite');
    const open = cores.pop()!;
    await open.close();
    const again = await demoCore(url, file, { secrets });
    cores.push(again);
    const r = await ok(again, 'ops.team', { window: '7d' });
    expect(r.freshness.fromCache).toBe(true);
    expect(r.data.team.throughput.value).toBe(60);
  });

  it('keys stored answers by the server identity: the same server on a new port serves them', async () => {
    // Answers /v1/me as `serverId` and 503 to every figure: the server is up but its figures are away.
    const standIn = async (serverId: string) => {
      const s = createServer((req, res) => {
        const path = (req.url ?? '').split('?')[0];
        if (path === '/v1/me') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: 'sam', name: 'Sam', roles: ['supervisor'], serverId }));
          return;
        }
        res.writeHead(503, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'about:blank', title: 'Unavailable', status: 503 }));
      });
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      return { s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
    };
    const moved = await standIn('srv-ops-fake');
    try {
      const core = await demoCore(moved.url, tmp.file('sam-moved.sqlite'), { secrets });
      cores.push(core);
      await ok(core, 'session.connect', { serverUrl: moved.url, token: 'demo-sam' });
      // A fresh cache file: nothing stored yet, so a network failure, not an answer from nowhere.
      expect(await core.call('ops.team', { window: '7d' })).toMatchObject({ ok: false, error: { code: 'network' } });
    } finally {
      await new Promise((r) => moved.s.close(r));
    }
    // The file that stored sam's answers from the first port, now on a new one with the same serverId.
    const again = await standIn('srv-ops-fake');
    try {
      const open = cores.pop()!;
      await open.close();
      const prev = cores.pop()!;
      await prev.close();
      const core = await demoCore(again.url, tmp.file('sam-offline.sqlite'), { secrets });
      cores.push(core);
      await ok(core, 'session.connect', { serverUrl: again.url, token: 'demo-sam' });
      const r = await ok(core, 'ops.team', { window: '7d' });
      expect(r.freshness).toMatchObject({ fromCache: true, computedAt: '2026-11-28T08:59:00.000Z' });
      expect(r.data.team.throughput.value).toBe(60);
    } finally {
      await new Promise((r) => again.s.close(r));
    }
  });
});
