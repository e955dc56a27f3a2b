// `npm run server -- import-sqlite FILE --db postgres://…` (server/db/copy-sqlite-to-postgres.ts): a SQLite
// database with a working history (the demo seed, then claims, decisions with labor by several reviewers,
// escalations, reverts, reassignments, a queue's labor cost, producers' runs and corrections, a compacted
// change log, spread over hours of an injected clock) moves into PostgreSQL with every row identical and
// every metric identical (GET /v1/metrics team, control-points, exception-tax in each grouping and bucket,
// as the supervisor and as an owner, both servers at the same instant); desks and producers keep their
// cursors; the logs continue after the copied numbers; a second import into the now non-empty database is
// refused and changes nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DecisionsResponse } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { compactChangeLog } from '../../server/services/pull';
import { CentralClient, approvals, mutationFor, newClientId } from '../helpers/central-client';
import { changedTables, openProbe, snapshotOf } from '../helpers/db-snapshot';
import { TestClock, withDemoClients, type DemoServer } from '../helpers/demo-fixture';
import { createTestDatabase } from '../helpers/pg-cluster';
import { startTestServer } from '../helpers/server';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'desk-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const importSqlite = (file: string, url: string) =>
  run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'import-sqlite', file, '--db', url], { cwd: process.cwd() });

async function allDecisions(client: CentralClient): Promise<DecisionsResponse['decisions']> {
  const out: DecisionsResponse['decisions'] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.decisions({ cursor, limit: 100 });
    out.push(...page.decisions);
    cursor = page.cursor;
    if (!page.hasMore) return out;
  }
}

/** Every metrics answer a supervisor and an owner can ask for over [from, to], by name. */
async function metricsAnswers(demo: DemoServer, from: Date, to: Date): Promise<Record<string, unknown>> {
  const interval = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
  const asked: [keyof DemoServer['as'], string][] = [
    ['sam', `/v1/metrics/team?${interval}`],
    ['sam', `/v1/metrics/team?${interval}&bucket=hour`],
    ['sam', `/v1/metrics/control-points?${interval}`],
    ['olivia', `/v1/metrics/control-points?${interval}`],
    ...(['workflow', 'class', 'queue'] as const).map((g): [keyof DemoServer['as'], string] => ['sam', `/v1/metrics/exception-tax?${interval}&groupBy=${g}`]),
    ['sam', `/v1/metrics/exception-tax?${interval}&groupBy=queue&bucket=day`],
    ['olivia', `/v1/metrics/exception-tax?${interval}&groupBy=queue`],
  ];
  const out: Record<string, unknown> = {};
  for (const [who, path] of asked) {
    const res = await demo.as[who].request('GET', path);
    expect(res.status, `${who} ${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
    out[`${who} ${path.replace(interval, '…')}`] = res.body;
  }
  return out;
}

describe('import-sqlite', () => {
  it('copies a working SQLite database into PostgreSQL, every row identical, cursors still valid', async () => {
    // A demo database with history, on SQLite.
    const file = join(dir, 'demo.sqlite');
    const clock = new TestClock(Date.parse('2026-11-16T07:00:00.000Z'));
    const start = clock.now();
    const demo = await withDemoClients(await startTestServer({ dbFile: file, seed: 'demo', now: clock.now, sweepIntervalMs: 3_600_000 }));
    // Decisions carry the clock's time (their labor's decidedAt is what the metrics count by).
    const approveAt = (its: Item[], firstId: number) => its.map((it, i) => mutationFor('approve', it, firstId + i, {}, { at: clock.now() }));
    const olivia = demo.queues.find((q) => q.ownerId === demo.ids.olivia)!;
    const aliceClient = newClientId('import-alice');
    const ok = async (answer: Promise<{ status: number; body: unknown }>) => {
      const res = await answer;
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await ok(demo.as.olivia.request('POST', '/v1/queue-policies', { queueId: olivia.id, laborCost: { amountPerHour: 48, currency: 'EUR' } }));
    clock.advanceMinutes(20);
    const { items } = await demo.as.alice.claim({ count: 12, queueIds: [olivia.id], leaseMinutes: 600 });
    clock.advanceMinutes(35);
    await demo.as.alice.push({ clientId: aliceClient, mutations: [
      ...approveAt(items.slice(0, 6), 1),
      mutationFor('escalate', items[6], 7, { reasonCode: olivia.reasonCodes[0].code }, { at: clock.now() }),
      mutationFor('reject', items[7], 8, { reasonCode: olivia.reasonCodes[0].code }, { at: clock.now() }),
    ] });
    clock.advanceMinutes(5);
    await demo.as.alice.push({ clientId: aliceClient, mutations: [mutationFor('revert', items[0], 9, {}, { at: clock.now() })] });
    await demo.as.sam.assign({ itemIds: [items[8].id], assigneeId: demo.ids.bob });
    clock.advanceMinutes(50);
    const bobs = (await demo.as.bob.claim({ count: 5, leaseMinutes: 600 })).items;
    clock.advanceMinutes(95);
    await demo.as.bob.push({ clientId: newClientId('import-bob'), mutations: [
      ...approveAt(bobs.slice(0, 3), 1), mutationFor('correct', bobs[3], 4, { correctedOutput: { total: 1190 } }, { at: clock.now() }),
    ] });
    clock.advanceMinutes(240);
    await ok(demo.as.ingest.request('POST', '/v1/runs', { runs: [{ source: 'erp', workflow: olivia.workflow, stage: olivia.stage,
      periodStart: start.toISOString(), periodEnd: clock.now().toISOString(), runs: 400, straightThroughCost: { amount: 40, currency: 'EUR' } }] }));
    await ok(demo.as.ingest.request('POST', '/v1/corrections', { corrections: [
      { source: 'ledger', itemId: items[1].id, detectedAt: clock.now().toISOString(), cost: { minutes: 25 }, note: 'posted twice' }] }));
    clock.advanceMinutes(60);
    // Compaction empties part of the log: positions SQLite handed out must never be handed out again.
    const top = Number((await demo.running!.database.db.selectFrom('change_log').select((eb) => eb.fn.max('pos').as('p')).executeTakeFirstOrThrow()).p);
    await compactChangeLog(demo.running!.database.db, Math.floor(top / 2));
    await demo.as.alice.claim({ count: 2, queueIds: [olivia.id] });
    const pulled = await demo.as.alice.pullAll({ clientId: aliceClient, limit: 50 });
    const aliceCursor = pulled[pulled.length - 1].cursor;
    const feed = await allDecisions(demo.as.ingest);
    const metricsFrom = new Date(start.getTime() - 86_400_000);
    const metricsTo = new Date(clock.now().getTime() + 3_600_000);
    const sqliteMetrics = await metricsAnswers(demo, metricsFrom, metricsTo);
    // The history shows in the figures (the comparison below would be hollow on empty ones).
    const team = sqliteMetrics['sam /v1/metrics/team?…'] as { throughput: { value: number } };
    expect(team.throughput.value).toBeGreaterThanOrEqual(8);
    const tax = sqliteMetrics['sam /v1/metrics/exception-tax?…&groupBy=queue'] as { groups: { key: string; corrections: number; outcomes: number }[] };
    expect(tax.groups.find((g) => g.key === olivia.id)).toMatchObject({ corrections: 1 });
    await demo.close();

    // The command, as an operator runs it.
    const url = await createTestDatabase('imported');
    const { stdout } = await importSqlite(file, url);
    expect(stdout).toMatch(/every row identical/);

    // Checked again here, independently of the command's own check: every table, every row.
    const ignore = ['kysely_migration', 'kysely_migration_lock'];
    const sqliteSnap = await snapshotOf(file, ignore);
    const pgSnap = await snapshotOf(url, ignore);
    expect(Object.keys(pgSnap).sort()).toEqual(Object.keys(sqliteSnap).sort());
    expect(changedTables(sqliteSnap, pgSnap)).toEqual([]);
    // 2,000 open items and the demo's eight weeks of history (server/seed/demo-history.ts).
    expect(sqliteSnap.items.rows).toBeGreaterThan(2000);
    expect(sqliteSnap.change_log.rows).toBeGreaterThan(0);

    // The same server on PostgreSQL: same database id, so alice's cursor replays without a reset; the
    // producers' feed reads the same; new positions follow the old ones.
    const onPg = await withDemoClients(await startTestServer({ dbFile: url, now: clock.now, sweepIntervalMs: 3_600_000 }));
    try {
      // Every metric, asked at the same instant of the same clock, answers the same on PostgreSQL.
      expect(await metricsAnswers(onPg, metricsFrom, metricsTo)).toEqual(sqliteMetrics);
      const next = await onPg.as.alice.pull({ cursor: aliceCursor, clientId: aliceClient });
      expect(next.reset).toBe(false);
      expect(next.upserts).toEqual([]);
      expect(await allDecisions(onPg.as.ingest)).toEqual(feed);
      const { items: more } = await onPg.as.alice.claim({ count: 1, queueIds: [olivia.id] });
      const after = await onPg.as.alice.pull({ cursor: aliceCursor, clientId: aliceClient });
      expect(after.upserts.map((i) => i.id)).toEqual([more[0].id]);
      expect(Number(after.cursor.split('.')[2])).toBeGreaterThan(Number(aliceCursor.split('.')[2]));
      const res = await onPg.as.alice.push({ clientId: aliceClient, mutations: approvals(more, 10) });
      expect(res.results[0].status).toBe('applied');
    } finally {
      await onPg.close();
    }

    // A second import into the now non-empty database is refused and changes nothing.
    const before = await snapshotOf(url, ignore);
    await expect(importSqlite(file, url)).rejects.toMatchObject({ stderr: expect.stringMatching(/already holds data/) });
    expect(changedTables(before, await snapshotOf(url, ignore))).toEqual([]);
    const probe = await openProbe(url);
    try {
      expect((await probe.get<{ n: number }>(`SELECT COUNT(*) AS n FROM meta WHERE key = 'db_id'`))!.n).toBe(1);
    } finally {
      await probe.close();
    }
  }, 180_000);
});
