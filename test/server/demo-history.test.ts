// The demo's eight weeks of history (server/seed/demo-history.ts): written through the real services, it
// spans about eight weeks, has eight or more reviewers, holds every kind of event (claims, labor, outcomes,
// escalations and owner decisions, reverts, overrides, a rollback, corrections, runs, a tripped trigger),
// leaves the open queue with SLA clocks spread out, and gives every metrics endpoint non-zero figures.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../server/db/connection';
import { isAtRisk } from '../../shared/metrics-definitions';
import { ControlPointsResponse, DesignSignalsResponse, ExceptionTaxResponse, TeamMetrics } from '../../shared/ops-api';
import { CentralClient } from '../helpers/central-client';
import { startTestServer, type TestServer } from '../helpers/server';

const DAY = 86_400_000;
let server: TestServer;
let opened: OpenedDatabase;
let sam: CentralClient;
let now: number;

beforeAll(async () => {
  now = Date.now();
  server = await startTestServer({ seed: 'demo' });
  opened = await openDatabase(server.dbFile);
  sam = new CentralClient(server.url, 'demo-sam');
}, 120_000);
afterAll(async () => {
  await opened?.close();
  await server?.close();
});

async function get<T>(path: string, schema: { parse(v: unknown): T }): Promise<T> {
  const res = await sam.request('GET', path);
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
  return schema.parse(res.body);
}

describe('demo history', () => {
  it('spans about eight weeks, with eight or more reviewers deciding', async () => {
    const db = opened.db;
    const span = await db.selectFrom('item_events').select((eb) => [eb.fn.min('at').as('first'), eb.fn.max('at').as('last')]).executeTakeFirstOrThrow();
    expect(Date.parse(String(span.first))).toBeLessThan(now - 54 * DAY);
    expect(Date.parse(String(span.last))).toBeLessThanOrEqual(Date.now());
    const deciders = await db.selectFrom('item_events').innerJoin('users', 'users.id', 'item_events.actor_id').select(['users.id', 'users.roles'])
      .where('item_events.type', '=', 'decided').distinct().execute();
    const reviewers = deciders.filter((u) => (JSON.parse(u.roles) as string[]).includes('reviewer'));
    expect(reviewers.length).toBeGreaterThanOrEqual(8);
    // Every week of the eight has outcomes.
    const weeks = new Set((await db.selectFrom('item_events').select('at').where('type', '=', 'decided').execute())
      .map((e) => Math.floor((now - Date.parse(e.at)) / (7 * DAY))));
    for (let w = 0; w < 8; w++) expect(weeks.has(w), `week ${w} back has outcomes`).toBe(true);
  });

  it('holds every kind of event, an override, a rollback, corrections, runs and a tripped trigger', async () => {
    const db = opened.db;
    const types = new Map((await db.selectFrom('item_events').select(['type', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('type').execute())
      .map((r) => [r.type, Number(r.n)]));
    for (const t of ['created', 'enqueued', 'claimed', 'lease_expired', 'decided', 'escalated', 'deferred', 'reclassified', 'reverted', 'noted', 'labor', 'corrected']) {
      expect(types.get(t) ?? 0, t).toBeGreaterThan(0);
    }
    const feed = new Map((await db.selectFrom('decisions').select(['kind', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('kind').execute())
      .map((r) => [r.kind, Number(r.n)]));
    for (const k of ['approve', 'reject', 'correct', 'revert', 'override']) expect(feed.get(k) ?? 0, k).toBeGreaterThan(0);
    const rolledBack = await db.selectFrom('decisions').select('seq').where('rollback_id', 'is not', null).execute();
    expect(rolledBack.length).toBeGreaterThan(0);
    const rollbacks = await db.selectFrom('rollbacks').selectAll().execute();
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]).toMatchObject({ status: 'completed', by: 'olivia', reverted: rolledBack.length });
    // Owner decisions on escalations.
    const ownerOutcomes = (await db.selectFrom('item_events').select('payload').where('type', '=', 'decided').where('actor_id', 'in', ['olivia', 'omar']).execute())
      .filter((e) => (JSON.parse(e.payload) as { afterEscalation?: boolean }).afterEscalation === true);
    expect(ownerOutcomes.length).toBeGreaterThan(20);
    expect(Number((await db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBeGreaterThan(100);
    expect(Number((await db.selectFrom('corrections').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBeGreaterThan(10);
    // Tripped triggers: one acknowledged (it led to the rollback), one still open for the owner.
    const alerts = await db.selectFrom('alerts').select(['id', 'queue_id']).execute();
    const acked = new Set((await db.selectFrom('ops_events').select('subject').where('type', '=', 'alert_acknowledged').execute()).map((r) => r.subject));
    expect(alerts.filter((a) => acked.has(a.id)).length).toBeGreaterThan(0);
    expect(alerts.filter((a) => !acked.has(a.id)).length).toBeGreaterThan(0);
    const policies = await db.selectFrom('queues').select(['id', 'labor_cost_per_hour', 'labor_currency']).execute();
    for (const p of policies) expect(p.labor_cost_per_hour, p.id).toBeGreaterThan(0);
  });

  it('leaves nothing of the history open: the open queue is the 2,000 items, their SLA clocks spread out', async () => {
    const db = opened.db;
    const statuses = await db.selectFrom('items').select(['status', 'sla_due_at', 'queue_id', 'id']).where('status', '!=', 'resolved').execute();
    expect(statuses).toHaveLength(2000);
    expect(statuses.every((i) => i.status === 'open')).toBe(true);
    const targets = new Map((await db.selectFrom('queues').select(['id', 'sla_target_minutes']).execute()).map((q) => [q.id, q.sla_target_minutes]));
    let breached = 0;
    let atRisk = 0;
    let fresh = 0;
    for (const i of statuses) {
      const left = (Date.parse(i.sla_due_at) - now) / 60_000;
      if (left <= 0) breached += 1; else if (isAtRisk(left, targets.get(i.queue_id)!)) atRisk += 1; else fresh += 1;
    }
    expect(breached).toBeGreaterThan(20);
    expect(atRisk).toBeGreaterThan(20);
    expect(fresh).toBeGreaterThan(breached + atRisk);
  });

  it('gives the metrics endpoints non-zero figures over the eight weeks', async () => {
    const q = `from=${new Date(now - 56 * DAY).toISOString()}&to=${new Date(now + 60_000).toISOString()}`;
    const team = await get(`/v1/metrics/team?${q}`, TeamMetrics);
    expect(team.throughput.value).toBeGreaterThan(500);
    expect(team.reviewers.filter((r) => (r.outcomes.value ?? 0) > 0).length).toBeGreaterThanOrEqual(8);
    expect(team.reviewers.some((r) => r.handleTime.p50 !== null && r.handleTime.p50 > 0)).toBe(true);
    expect(team.perDay.filter((d) => d.outcomes > 0).length).toBeGreaterThan(30);

    const cps = await get(`/v1/metrics/control-points?${q}`, ControlPointsResponse);
    expect(cps.controlPoints).toHaveLength(5);
    for (const cp of cps.controlPoints) {
      expect(cp.withinSla.percent.n, cp.queueId).toBeGreaterThan(20);
      expect(cp.resolutionTime.p50, cp.queueId).not.toBeNull();
      expect(cp.depth.value, cp.queueId).toBeGreaterThan(0);
    }
    const within = cps.controlPoints.map((cp) => cp.withinSla.percent.value!);
    expect(within.some((v) => v < 100)).toBe(true);
    expect(within.every((v) => v > 30)).toBe(true);
    expect(cps.controlPoints.filter((cp) => cp.approvalLatency.n > 0).length).toBeGreaterThanOrEqual(3);
    expect(cps.controlPoints.some((cp) => cp.atRisk.length > 0)).toBe(true);

    const tax = await get(`/v1/metrics/exception-tax?${q}&groupBy=queue`, ExceptionTaxResponse);
    expect(tax.groups).toHaveLength(5);
    for (const g of tax.groups) {
      expect(g.taxPerOutcome.value, g.key).toBeGreaterThan(0);
      expect(g.runs, g.key).toBeGreaterThan(0);
      expect(g.costToCompletion.value!, g.key).toBeGreaterThan(g.costToCompletionWithoutExceptions.value!);
    }
    const sum = (f: (g: (typeof tax.groups)[number]) => number) => tax.groups.reduce((n, g) => n + f(g), 0);
    expect(sum((g) => g.rework.reverts)).toBeGreaterThan(0);
    expect(sum((g) => g.rework.overrides)).toBeGreaterThan(0);
    expect(sum((g) => g.rework.rolledBack)).toBeGreaterThan(0);
    expect(sum((g) => g.rework.corrections)).toBeGreaterThan(0);
    expect(sum((g) => g.reworkLaborMinutes)).toBeGreaterThan(0);
  });

  it('fires every one of the five design signals over the eight weeks', async () => {
    const q = `from=${new Date(now - 56 * DAY).toISOString()}&to=${new Date(now + 60_000).toISOString()}`;
    const res = await get(`/v1/metrics/signals?${q}`, DesignSignalsResponse);
    expect(new Set(res.signals.map((x) => x.kind))).toEqual(new Set(['trust_ai_further', 'delegate_override', 'tighten_input', 'simplify_branch', 'move_control_earlier']));
  });

  it('is written through the services, so the log agrees with the state: every resolved item has its outcome event', async () => {
    const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM items i WHERE i.status = 'resolved' AND NOT EXISTS
      (SELECT 1 FROM item_events e WHERE e.item_id = i.id AND e.type = 'decided' AND e.assignment_epoch = i.assignment_epoch)`.execute(opened.db);
    expect(Number(rows.rows[0].n)).toBe(0);
  });
});
