// Profiling aid for the metrics bench (not a bench itself): `npx tsx test/bench/metrics-profile.ts FILE [path-fragment]`
// on a database kept by `METRICS_BENCH_DB=FILE npm run bench -- metrics`: calls each metrics service in process and
// prints where its time goes, query by query (SQL text, rows, ms) and outside the database.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { isoWeekBounds, isoWeekOf } from '../../shared/metrics-definitions';
import { openDatabase } from '../../server/db/connection';
import type { AuthUser, ServerContext } from '../../server/services/context';
import { controlPointMetrics, exceptionTaxMetrics, loadMetrics, teamMetrics } from '../../server/services/ops/metrics';
import { operationsScorecard } from '../../server/services/ops/scorecard';
import { designSignals } from '../../server/services/ops/signals';
import { weeklyPack } from '../../server/services/ops/weekly-pack';

const DAY = 86_400_000;
const file = process.argv[2];
const only = process.argv[3];
const now = new Date(readFileSync(`${file}.now`, 'utf8'));
const opened = await openDatabase(file);
const started = new Map<unknown, { t: number; cpu: NodeJS.CpuUsage; node: RootOperationNode }>();
// Wall and CPU per query (the service awaits one query at a time, so the CPU between its start and end is its own).
const log: { sql: string; rows: number; ms: number; cpuMs: number }[] = [];
const timing: KyselyPlugin = {
  transformQuery(args: PluginTransformQueryArgs) { started.set(args.queryId, { t: performance.now(), cpu: process.cpuUsage(), node: args.node }); return args.node; },
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const s = started.get(args.queryId);
    if (s) log.push({ sql: opened.db.getExecutor().compileQuery(s.node, args.queryId as never).sql.replace(/\?(, \?)+/g, '?…').slice(0, 220), rows: args.result.rows.length, ms: performance.now() - s.t, cpuMs: cpuSince(s.cpu) });
    return args.result;
  },
};
const ctx = { db: opened.db.withPlugin(timing), dbId: 'x', now: () => now, log: console, faults: {} } as unknown as ServerContext;
const sam: AuthUser = { id: 'sam', name: 'sam', roles: ['supervisor'] };
const iso = (t: number) => new Date(t).toISOString();
function cpuSince(from: NodeJS.CpuUsage): number { const c = process.cpuUsage(from); return (c.user + c.system) / 1000; }
const calls: [string, () => Promise<unknown>][] = [];
for (const [w, span] of [['week', 7 * DAY], ['quarter', 91 * DAY]] as const) {
  const q = { from: iso(now.getTime() - span), to: iso(now.getTime()) };
  calls.push([`team ${w}`, () => teamMetrics(ctx, sam, q as never)], [`control-points ${w}`, () => controlPointMetrics(ctx, sam, q as never)],
    [`exception-tax ${w}`, () => exceptionTaxMetrics(ctx, sam, { ...q, groupBy: 'queue' } as never)],
    [`signals ${w}`, () => designSignals(ctx, sam, { ...q, status: 'all' } as never)], [`scorecard ${w}`, () => operationsScorecard(ctx, sam, q as never)]);
}
{
  const { to } = isoWeekBounds(isoWeekOf(new Date(now.getTime() - 7 * DAY)));
  calls.push(['pack signals 28d', () => designSignals(ctx, sam, { from: iso(to.getTime() - 28 * DAY), to: to.toISOString(), status: 'all' } as never)]);
  calls.push(['pack week read', () => loadMetrics(ctx, sam, { from: iso(to.getTime() - 7 * DAY), to: to.toISOString() }, 'sla', 'created')]);
}
calls.push(['weekly-pack week', () => weeklyPack(ctx, sam, { ownerId: 'olivia', week: isoWeekOf(new Date(now.getTime() - 7 * DAY)) } as never)]);
for (const [name, call] of calls) {
  if (only && !name.includes(only)) continue;
  await call();
  // The fastest of five (wall and CPU): on a shared machine the others mostly measure the neighbours.
  let total = Infinity;
  let cpuMs = Infinity;
  for (let i = 0; i < 5; i++) {
    log.length = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await call();
    total = Math.min(total, performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpuMs = Math.min(cpuMs, (cpu.user + cpu.system) / 1000);
  }
  const inDb = log.reduce((n, l) => n + l.ms, 0);
  const inDbCpu = log.reduce((n, l) => n + l.cpuMs, 0);
  console.log(`\n${name}: ${total.toFixed(1)} ms (CPU ${cpuMs.toFixed(1)} ms), ${log.length} queries ${inDb.toFixed(1)} ms (CPU ${inDbCpu.toFixed(1)} ms), outside ${(total - inDb).toFixed(1)} ms`);
  for (const l of [...log].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 10)) console.log(`  ${l.ms.toFixed(1).padStart(7)} ms (CPU ${l.cpuMs.toFixed(1).padStart(5)}) ${String(l.rows).padStart(7)} rows  ${l.sql}`);
}
await opened.close();
