// Bad input on every body of exception operations (issue 10, Tests): fast-check takes a valid body of each
// ops route and breaks it one place at a time (a key dropped, a value of the wrong type or out of range, a
// bad date, currency or id, an unknown key, the prototype keys). Whatever arrives: the server agrees with
// the shared zod schema on what is malformed (a 400 validation problem whose errors[] name a path), never
// answers 5xx, and a refusal changes nothing: the row counts and newest rows of every table an ops body can
// write are the same after it (a fingerprint read beside the server; db-snapshot.ts watchCommits would also
// see commits of other suites sharing the PostgreSQL cluster). Runs on both databases.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../server/routes';
import { PROBLEM_TYPES, Problem } from '../../shared/central-api';
import { AlertsResponse } from '../../shared/ops-api';
import { sql } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../../server/db/connection';
import { changedTables, snapshotOf } from '../helpers/db-snapshot';
import { demoToken, startDemoServer, type DemoServer, type DemoUser } from '../helpers/demo-fixture';

const SEED = 10_2026;
let demo: DemoServer;
let probe: OpenedDatabase;

/** What an ops body can change: rows added to its tables, and queue policies (their last change). */
async function fingerprint(): Promise<string> {
  const { rows } = await sql<Record<string, unknown>>`SELECT
    (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM corrections) AS corrections, (SELECT count(*) FROM rollbacks) AS rollbacks,
    (SELECT count(*) FROM rollback_items) AS rollback_items, (SELECT count(*) FROM alerts) AS alerts, (SELECT max(seq) FROM ops_events) AS ops_events,
    (SELECT max(seq) FROM item_events) AS item_events, (SELECT max(seq) FROM decisions) AS decisions, (SELECT count(*) FROM metric_events) AS metric_events,
    (SELECT max(policy_updated_at) FROM queues) AS policies, (SELECT count(*) FROM items WHERE status <> 'resolved') AS unresolved`.execute(probe.db);
  return JSON.stringify(rows[0], (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}
let resolvedItem = '';
let alertId = '';

beforeAll(async () => {
  demo = await startDemoServer();
  probe = await openDatabase(demo.dbFile);
  const alerts = await demo.as.sam.expectOk(AlertsResponse, 'GET', '/v1/alerts?status=all');
  alertId = alerts.alerts[0].id;
  const page = await demo.as.ingest.decisions({ limit: 5 });
  resolvedItem = page.decisions.find((d) => d.kind !== 'revert')!.itemId;
}, 120_000);
afterAll(async () => {
  await probe?.close();
  await demo?.close();
});

const at = (d: string) => `${d}T00:00:00.000Z`;
/** One valid body per ops route, and who may send it. */
const VALID: { path: string; who: DemoUser; body: () => Record<string, unknown> }[] = [
  { path: '/v1/runs', who: 'ingest', body: () => ({ runs: [{ source: 'erp', workflow: 'invoice-extraction', stage: 'post-to-ledger', periodStart: at('2026-10-01'),
    periodEnd: at('2026-10-02'), runs: 10, straightThroughCost: { amount: 1.5, currency: 'EUR' } }] }) },
  { path: '/v1/corrections', who: 'ingest', body: () => ({ corrections: [{ source: 'erp', itemId: resolvedItem, detectedAt: at('2026-10-05'),
    cost: { minutes: 5 }, note: 'found wrong' }] }) },
  { path: '/v1/queue-policies', who: 'olivia', body: () => ({ queueId: 'support-drafts', slaTargetMinutes: 60, idleThresholdSec: 45, deferCooldownMinutes: 12,
    laborCost: { amountPerHour: 32, currency: 'EUR' }, rollbackTrigger: { kind: 'corrections_count', atLeast: 4, windowHours: 48 } }) },
  { path: '/v1/rollbacks', who: 'olivia', body: () => ({ mode: 'preview', filter: { queueIds: ['support-drafts'], reviewerIds: ['freya'], outcomes: ['approve'],
    reasonCodes: ['other'], from: at('2026-01-01'), to: at('2027-01-01'), metadata: { path: 'output.modelVersion', equals: 'reply-gen-2025-10' } } }) },
  { path: '/v1/alerts/ack', who: 'olivia', body: () => ({ alertId, note: 'seen' }) },
  { path: '/v1/reviews/weekly', who: 'olivia', body: () => ({ ownerId: 'olivia', week: '2026-W40', notes: 'weekly notes' }) },
  { path: '/v1/signals/decisions', who: 'olivia', body: () => ({ signalId: 'trust_ai_further/support-drafts', decision: 'dismiss', reason: 'not yet' }) },
];

type Path = (string | number)[];
function leafPaths(v: unknown, prefix: Path = []): Path[] {
  if (v === null || typeof v !== 'object') return [prefix];
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  return [prefix, ...entries.flatMap(([k, x]) => leafPaths(x, [...prefix, k]))];
}
function breakAt(body: unknown, path: Path, how: { kind: 'drop' } | { kind: 'set'; value: unknown } | { kind: 'extra'; key: string }): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string | number, unknown>;
  if (path.length === 0) return how.kind === 'set' ? how.value : how.kind === 'extra' ? { ...copy, [how.key]: 1 } : {};
  let parent: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (how.kind === 'drop') { if (Array.isArray(parent)) parent.splice(Number(last), 1); else delete parent[last]; }
  if (how.kind === 'set') parent[last] = how.value;
  if (how.kind === 'extra') {
    const target = parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[how.key] = 1; else parent[last] = { [how.key]: 1 };
  }
  return copy;
}

const wrongValue = fc.oneof(
  fc.constantFrom(null, -1, 0, 1.5, 1e13, Number.MAX_SAFE_INTEGER, '', ' ', 'x'.repeat(5000), [], {}, true, 'not-a-date', '2026-13-45T00:00:00Z',
    '2026-10-01', 'euro', 'EURO', 'eur', 'no such id', 'itm_none', '2026-W99', 'accept', 'approve', '\u0000', 'corrections_rate'),
  fc.jsonValue({ maxDepth: 2 }),
);
const breakage = fc.oneof(
  fc.constant({ kind: 'drop' as const }),
  wrongValue.map((value) => ({ kind: 'set' as const, value })),
  fc.constantFrom('unknown', '__proto__', 'constructor', 'extra_field').map((key) => ({ kind: 'extra' as const, key })),
);

describe('every ops body, broken one place at a time', () => {
  it.each(VALID.map((v) => [v.path, v] as const))('POST %s', async (path, v) => {
    const route = apiRoutes.find((r) => r.method === 'POST' && r.path === path);
    expect(route?.body, path).toBeDefined();
    // The valid body is valid (so each breakage below is the only thing wrong).
    expect(route!.body!.safeParse(v.body()).success, `${path}: the valid example`).toBe(true);
    const paths = leafPaths(v.body());
    let refused = 0;
    await fc.assert(fc.asyncProperty(fc.nat({ max: paths.length - 1 }), breakage, async (i, how) => {
      const body = breakAt(v.body(), paths[i], how);
      const text = JSON.stringify(body) ?? 'null';
      const schemaOk = route!.body!.safeParse(JSON.parse(text)).success;
      const before = await fingerprint();
      const res = await fetch(demo.url + path, { method: 'POST', headers: { authorization: `Bearer ${demoToken(v.who)}`, 'content-type': 'application/json' }, body: text });
      const answer = await res.text();
      const committed = (await fingerprint()) !== before;
      const what = `${path} ${text.slice(0, 300)} -> ${res.status} ${answer.slice(0, 300)}`;
      expect(res.status, what).toBeLessThan(500);
      if (!schemaOk) {
        expect(res.status, what).toBe(400);
        const p = Problem.parse(JSON.parse(answer));
        expect(p.type, what).toBe(PROBLEM_TYPES.validation);
        // A __proto__ key is refused by the JSON parser itself, before the schema (one message, no errors[]).
        if (p.errors === undefined || p.errors.length === 0) {
          expect(text, what).toMatch(/"__proto__"/);
          expect(p.detail, what).toMatch(/JSON/);
        } else {
          expect(p.errors.every((e) => typeof e.path === 'string' && e.message.length > 0), what).toBe(true);
        }
      }
      if (res.status >= 400) {
        refused += 1;
        expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
        expect(committed, `${what}: a refusal changed the database`).toBe(false);
      }
    }), { seed: SEED, numRuns: 40 });
    expect(refused, `${path}: the breakages reached the refusals`).toBeGreaterThan(10);
  }, 120_000);

  it('the fingerprint has teeth: an accepted change moves it', async () => {
    const before = await snapshotOf(demo.dbFile);
    const print = await fingerprint();
    const res = await demo.as.olivia.request('POST', '/v1/queue-policies', { queueId: 'support-drafts', idleThresholdSec: 46 });
    expect(res.status).toBe(200);
    expect(await fingerprint()).not.toBe(print);
    expect(changedTables(before, await snapshotOf(demo.dbFile))).toEqual(['ops_events', 'queues']);
  });
});
