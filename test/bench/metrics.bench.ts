// `npm run bench -- metrics [--events 1M]`: the metrics endpoints of DESIGN §8 as the log grows. A year of
// history, ~5 events per item (1M events, 200k items by default), written straight into a SQLite file in one
// transaction (bulk insert: the bench measures reads, not writes); then the roll-ups are rebuilt from the log
// (timed), the server starts on the file, and each endpoint is asked, as a supervisor over HTTP, for the last
// week and the last quarter (signals and the scorecard too; the weekly review pack for the last whole ISO
// week of one owner). Baseline in the same run: a plain COUNT(*) scan of item_events.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isoWeekOf } from '../../shared/metrics-definitions';
import { openDatabase } from '../../server/db/connection';
import { writeTransaction } from '../../server/db/write-transaction';
import { DEMO_QUEUES } from '../../server/seed/demo-queues';
import { createRng } from '../../server/seed/prng';
import { rebuildRollups } from '../../server/services/metric-rollups';
import { updatePolicy } from '../../server/services/ops/policies';
import { upsertQueue } from '../../server/services/queues';
import { createUser } from '../../server/services/users';
import { CentralClient } from '../helpers/central-client';
import { startTestServer } from '../helpers/server';
import { loadAverage, ms, pct, sizesArg } from './bench-stats';

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const REVIEWERS = Array.from({ length: 24 }, (_, i) => `rev${i}`);

// Seeded (mulberry32, the demo seed's generator): reproducible from the seed.
const rng = (seed: number): (() => number) => createRng(seed).next;

export async function run(): Promise<void> {
  const targetEvents = sizesArg(process.argv, 'events', [1_000_000])[0];
  const itemsCount = Math.round(targetEvents / 5);
  // METRICS_BENCH_DB=FILE keeps the generated database there and reuses it when it exists (while iterating
  // on reads: the history is then as old as the file, and generation and rebuild are not measured again).
  const keep = process.env.METRICS_BENCH_DB;
  const reuse = keep !== undefined && existsSync(keep);
  const dir = keep ? null : mkdtempSync(join(tmpdir(), 'bench-metrics-'));
  const file = keep ?? join(dir!, 'central.sqlite');
  const now = reuse ? Date.parse(readFileSync(`${keep}.now`, 'utf8')) : Date.now();
  const start = now - 365 * DAY;
  try {
    const opened = await openDatabase(file);
    const tokens: Record<string, string> = {};
    let events = 0;
    let generateMs = 0;
    let rebuildMs = 0;
    let rebuilt = { events: 0, items: 0 };
    if (reuse) {
      tokens.sam = (await writeTransaction(opened.db, (tx) => createUser(tx, { id: `sam${Date.now()}`, roles: ['supervisor'] }, new Date(now)))).token;
      events = Number((opened.raw!.prepare('SELECT COUNT(*) AS n FROM item_events').get() as { n: number }).n);
    } else {
      if (keep) writeFileSync(`${keep}.now`, new Date(now).toISOString());
      await writeTransaction(opened.db, async (tx) => {
        for (const id of ['olivia', 'omar']) await createUser(tx, { id, roles: ['owner', 'reviewer'] }, new Date(start));
        tokens.sam = (await createUser(tx, { id: 'sam', roles: ['supervisor'] }, new Date(start))).token;
        for (const id of REVIEWERS) await createUser(tx, { id, roles: ['reviewer'] }, new Date(start));
        for (const q of DEMO_QUEUES) await upsertQueue(tx, q, new Date(start));
        for (const q of DEMO_QUEUES) {
          await updatePolicy(tx, null, { queueId: q.id, laborCost: { amountPerHour: 50, currency: q.id === 'procurement-po' ? 'USD' : 'EUR' } }, new Date(start));
        }
      });

      // ---- bulk history: straight into the tables ----
      let t0 = performance.now();
      const raw = opened.raw!;
      const insItem = raw.prepare(`INSERT INTO items (id, source, external_id, queue_id, workflow, stage, exception_class, title, summary, confidence, reasons, input, output,
        status, assignee_id, assignment_epoch, lease_expires_at, version, created_at, enqueued_at, sla_due_at, outcome, notes, escalation, revert_count)
        VALUES (?, 'bench', ?, ?, ?, ?, ?, ?, NULL, NULL, '[]', '{}', '{}', ?, ?, ?, NULL, 1, ?, ?, ?, ?, '[]', NULL, 0)`);
      const insEvent = raw.prepare('INSERT INTO item_events (item_id, type, actor_id, at, assignment_epoch, payload) VALUES (?, ?, ?, ?, ?, ?)');
      const insRun = raw.prepare(`INSERT INTO runs (source, workflow, stage, period_start, period_end, runs, straight_through_amount, currency, recorded_by, recorded_at)
        VALUES ('bench', ?, '', ?, ?, ?, ?, ?, 'sam', ?)`);
      const r = rng(20261130);
      raw.transaction(() => {
        for (let n = 0; n < itemsCount; n++) {
          const q = DEMO_QUEUES[n % DEMO_QUEUES.length];
          const created = start + (n / itemsCount) * 365 * DAY;
          const due = created + q.slaTargetMinutes * 60_000;
          const reviewer = REVIEWERS[Math.floor(r() * REVIEWERS.length)];
          const open = created > now - 2 * DAY && r() < 0.5;
          const decidedAt = created + r() * q.slaTargetMinutes * 1.3 * 60_000;
          const id = `itm_b${String(n).padStart(7, '0')}`;
          const kind = r() < 0.8 ? 'approve' : r() < 0.5 ? 'reject' : 'correct';
          const outcome = open ? null : JSON.stringify({ kind, at: iso(decidedAt), by: reviewer });
          insItem.run(id, `b-${n}`, q.id, q.workflow, q.stage, q.exceptionClass, `Bench item ${n}`, open ? 'open' : 'resolved', null, open ? 0 : 1,
            iso(created), iso(created), iso(due), outcome);
          const ev = (type: string, actor: string | null, at: number, epoch: number, payload: object) => { insEvent.run(id, type, actor, iso(at), epoch, JSON.stringify(payload)); events += 1; };
          ev('created', 'ingest', created, 0, { source: 'bench', externalId: `b-${n}` });
          ev('enqueued', 'ingest', created, 0, { queueId: q.id, exceptionClass: q.exceptionClass, slaDueAt: iso(due), slaTargetMinutes: q.slaTargetMinutes });
          if (open) continue;
          const claimedAt = decidedAt - (1 + r() * 10) * 60_000;
          ev('claimed', reviewer, claimedAt, 1, { leaseMinutes: 30 });
          const activeMs = Math.round((1 + r() * 8) * 60_000);
          const labor = { activeMs, idleMs: 0, wallMs: activeMs + 5000, segments: 1, openedAt: iso(claimedAt + 1000), decidedAt: iso(decidedAt), rework: false };
          const extra = r();
          if (extra < 0.1) {
            ev('escalated', reviewer, decidedAt - 60_000, 2, { from: reviewer, to: q.ownerId, reasonCode: 'other', labor });
            ev('decided', q.ownerId, decidedAt, 2, { kind, rework: false, afterEscalation: true, queueId: q.id, labor: { ...labor, openedAt: iso(decidedAt - 30_000) } });
          } else {
            ev('decided', reviewer, decidedAt, 1, { kind, rework: false, afterEscalation: false, queueId: q.id, labor });
            if (extra < 0.7) ev('noted', reviewer, decidedAt - 30_000, 1, { text: 'checked', labor: null });
            else if (extra < 0.8) ev('reverted', reviewer, decidedAt + 60_000, 2, { rework: true, revertedEpoch: 1 });
            else if (extra < 0.85) ev('corrected', 'ingest', decidedAt + DAY, 1, { minutes: 20, amount: 12.5, currency: 'EUR', queueId: q.id });
            else ev('labor', reviewer, decidedAt + 30_000, 1, { status: 'conflict', code: 'lease_expired', kind: 'approve', labor });
          }
        }
        for (let d = 0; d < 365; d++) {
          for (const q of DEMO_QUEUES) insRun.run(q.workflow, iso(start + d * DAY), iso(start + (d + 1) * DAY), 4000, 120, q.id === 'procurement-po' ? 'USD' : 'EUR', iso(start + (d + 1) * DAY));
        }
      })();
      generateMs = performance.now() - t0;

      t0 = performance.now();
      rebuilt = await writeTransaction(opened.db, (tx) => rebuildRollups(tx));
      rebuildMs = performance.now() - t0;
      raw.exec('ANALYZE');
    }
    const raw = opened.raw!;
    let t0 = performance.now();
    const countRuns: number[] = [];
    for (let i = 0; i < 7; i++) {
      t0 = performance.now();
      raw.prepare('SELECT COUNT(*) AS n FROM item_events').get();
      countRuns.push(performance.now() - t0);
    }
    const baseline = pct(countRuns, 50);
    // A scan that reads every row (COUNT(*) alone may walk SQLite's smallest index only).
    const scanRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      t0 = performance.now();
      raw.prepare('SELECT SUM(length(payload)) AS n FROM item_events').get();
      scanRuns.push(performance.now() - t0);
    }
    const scan = pct(scanRuns, 50);
    await opened.close();

    // As the server runs in production (server/app.ts: responses are validated only in tests).
    const server = await startTestServer({ dbFile: file, validateResponses: false });
    try {
      const sam = new CentralClient(server.url, tokens.sam);
      const windows = { week: 7 * DAY, quarter: 91 * DAY };
      const endpoints = ['/v1/metrics/team', '/v1/metrics/control-points', '/v1/metrics/exception-tax?groupBy=queue', '/v1/metrics/signals',
        '/v1/metrics/scorecard'];
      const rows: { endpoint: string; window: string; p50: number; p95: number }[] = [];
      const lastWeek = isoWeekOf(new Date(now - 7 * DAY));
      const asked: { endpoint: string; window: string; path: string }[] = [
        ...endpoints.flatMap((endpoint) => Object.entries(windows).map(([name, span]) => ({
          endpoint, window: name, path: `${endpoint}${endpoint.includes('?') ? '&' : '?'}from=${iso(now - span)}&to=${iso(now)}` }))),
        // The pack is one ISO week by definition (olivia owns half the queues).
        { endpoint: '/v1/reviews/weekly', window: 'week', path: `/v1/reviews/weekly?ownerId=olivia&week=${lastWeek}` },
      ];
      const only = process.env.METRICS_BENCH_ONLY;
      for (const { endpoint, window: name, path } of asked) {
        {
          if (only && !path.includes(only)) continue;
          const samples: number[] = [];
          for (let i = 0; i < (name === 'week' ? 25 : 6); i++) {
            t0 = performance.now();
            const res = await sam.request('GET', path);
            samples.push(performance.now() - t0);
            if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
          }
          rows.push({ endpoint: endpoint.replace(/\?.*/, ''), window: name, p50: pct(samples.slice(2), 50), p95: pct(samples.slice(2), 95) });
        }
      }
      console.log(`${events.toLocaleString('en')} events, ${itemsCount.toLocaleString('en')} items over 365 days (SQLite, ${await loadAverage()})`);
      if (reuse) console.log(`reused ${file} (generation and rebuild not measured)`);
      else console.log(`generated in ${(generateMs / 1000).toFixed(1)} s; roll-ups rebuilt from the log in ${(rebuildMs / 1000).toFixed(1)} s (${rebuilt.events.toLocaleString('en')} metric rows, ${rebuilt.items.toLocaleString('en')} item facts)`);
      console.log(`baseline: SELECT COUNT(*) FROM item_events p50 ${ms(baseline)}; a scan reading every row (SUM(length(payload))) p50 ${ms(scan)}`);
      console.log('endpoint                     window    p50          p95          p95 ÷ COUNT(*)  p95 ÷ row scan  week goal ≤ 250 ms');
      for (const row of rows) {
        const goal = row.window === 'week' ? (row.p95 <= 250 ? 'met' : 'MISSED') : '';
        console.log(`${row.endpoint.padEnd(28)} ${row.window.padEnd(9)} ${ms(row.p50).padEnd(12)} ${ms(row.p95).padEnd(12)} ${(row.p95 / baseline).toFixed(0).padStart(8)}×  ${(row.p95 / scan).toFixed(2).padStart(12)}×   ${goal}`);
      }
      console.log(`rebuild ÷ COUNT(*): ${(rebuildMs / baseline).toFixed(0)}×; rebuild ÷ row scan: ${(rebuildMs / scan).toFixed(1)}×`);
    } finally {
      await server.close();
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
