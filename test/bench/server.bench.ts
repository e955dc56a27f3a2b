// `npm run bench -- server [--items 20k] [--runs 3]`: the reference server's throughput over real HTTP on
// 127.0.0.1 (the server in a child process, so client and server do not share an event loop), each phase
// against a baseline of raw SQL doing the same writes: the rows the phase inserted and changed in every
// table (same rows, same indexes and triggers, the server's pragmas), replayed with prepared statements in
// as many transactions as the phase sent requests (see write-replay.ts). Three runs, min / median / max.
// Beside the wall figures: the server process's CPU per phase (user + system, from /proc), which a loaded
// machine disturbs far less than wall time. BENCH_SERVER_AB=<another checkout> runs that checkout's server
// in every run too (order alternating, same items), and prints its CPU and wall per phase over this one's.
// --in-flight K (default 1): ingest and push keep K requests in flight (push from K desks, each its own client
// id and slice of the decisions, each in order), so the server never waits on the client building the next
// body or checking the last answer: its throughput, where K = 1 measures one client's round trips.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MAX_CLAIM_COUNT, MAX_INGEST_BATCH, MAX_PULL_LIMIT, MAX_PUSH_BATCH } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { CentralClient, approvals, ingestItems, newClientId } from '../helpers/central-client';
import { spawnServer } from '../helpers/server';
import { loadAverage, sizesArg, spread } from './bench-stats';
import { runPostgresComparison } from './server-postgres';
import { planWrites, replayWrites, snapshotDatabase } from './write-replay';

interface PhaseFigure { name: string; unit: string; count: number; httpMs: number; serverCpuMs: number; rawMs: number; rawCpuMs: number; rows: number }

/** A process's CPU time so far (user + system, ms; Linux /proc, 10 ms ticks), or NaN where /proc is missing. */
function processCpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Times one phase over HTTP (wall, and the server's CPU) and its same-writes replay. */
async function phase(dir: string, dbFile: string, serverPid: number, name: string, unit: string, requests: () => number,
  fn: () => Promise<number>): Promise<PhaseFigure> {
  const tag = name.replace(/\W+/g, '-');
  const before = join(dir, `${tag}-before.sqlite`);
  const after = join(dir, `${tag}-after.sqlite`);
  snapshotDatabase(dbFile, before);
  const cpu0 = processCpuMs(serverPid);
  const t0 = performance.now();
  const count = await fn();
  const httpMs = performance.now() - t0;
  const serverCpuMs = processCpuMs(serverPid) - cpu0;
  snapshotDatabase(dbFile, after);
  const plan = planWrites(before, after);
  const raw = await replayWrites(before, join(dir, `${tag}-replay.sqlite`), plan, requests());
  return { name, unit, count, httpMs, serverCpuMs, rawMs: raw.ms, rawCpuMs: raw.cpuMs, rows: plan.rows };
}

/** Runs task(0..count-1) with at most `k` in flight, each started in index order. */
async function inFlight(k: number, count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < count) await task(next++); };
  await Promise.all(Array.from({ length: Math.min(k, count) }, worker));
}

/** One run against the server of `root` (default this checkout); `k` requests in flight for ingest and push. */
async function oneRun(n: number, run: number, k: number, root?: string): Promise<PhaseFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'desk-bench-server-'));
  const dbFile = join(dir, 'central.sqlite');
  const server = await spawnServer({ dbFile, seed: 'demo', maxLeasedPerUser: 1_000_000, root });
  const pid = server.child.pid!;
  try {
    const reviewer = new CentralClient(server.url, 'demo-alice');
    const producer = reviewer.as('demo-ingest');
    const { queues } = await reviewer.queues();
    const queueId = queues[0].id;
    const rows = ingestItems(queueId, n, { source: 'bench', prefix: `run-${run}` });
    let requests = 0;
    const figures: PhaseFigure[] = [];

    figures.push(await phase(dir, dbFile, pid, 'ingest', 'items/s', () => requests, async () => {
      requests = 0;
      await inFlight(k, Math.ceil(n / MAX_INGEST_BATCH), async (b) => {
        const batch = rows.slice(b * MAX_INGEST_BATCH, (b + 1) * MAX_INGEST_BATCH);
        const res = await producer.ingest({ items: batch });
        requests++;
        if (res.created !== batch.length) throw new Error(`ingest created ${res.created} of ${batch.length}`);
      });
      return n;
    }));

    // Claim the bench items (plus the demo items of this queue due earlier), then pull them all.
    let claimed: Item[] = [];
    figures.push(await phase(dir, dbFile, pid, 'claim + pull', 'items/s', () => requests, async () => {
      requests = 0;
      for (;;) {
        const { items } = await reviewer.claim({ count: MAX_CLAIM_COUNT, queueIds: [queueId], leaseMinutes: 600 });
        requests++;
        claimed.push(...items);
        if (items.length < MAX_CLAIM_COUNT) break;
      }
      const pages = await reviewer.pullAll({ limit: MAX_PULL_LIMIT }, 1000);
      const pulled = pages.reduce((k, p) => k + p.upserts.length, 0);
      if (pulled < n) throw new Error(`pulled only ${pulled} items`);
      return claimed.length;
    }));
    claimed = claimed.filter((i) => i.source === 'bench').slice(0, n);
    if (claimed.length < n) throw new Error(`claimed only ${claimed.length} bench items`);

    // One desk per request in flight, each pushing its own slice of the decisions in order.
    const share = Math.ceil(n / k);
    const desks = Array.from({ length: k }, (_, d) => ({ clientId: newClientId(`bench-${d}`), mutations: approvals(claimed.slice(d * share, (d + 1) * share), 1) }));
    figures.push(await phase(dir, dbFile, pid, 'push decisions', 'decisions/s', () => requests, async () => {
      requests = 0;
      await Promise.all(desks.map(async ({ clientId, mutations }) => {
        for (let i = 0; i < mutations.length; i += MAX_PUSH_BATCH) {
          // Lean results, as the desk asks for them (a server without them answers full ones).
          const res = await reviewer.push({ clientId, mutations: mutations.slice(i, i + MAX_PUSH_BATCH), leanResults: true });
          requests++;
          const bad = res.results.find((r) => r.status !== 'applied');
          if (bad) throw new Error(`push: mutation ${bad.mutationId} ${bad.status} ${bad.code}`);
        }
      }));
      return n;
    }));
    return figures;
  } finally {
    await server.kill('SIGTERM');
    await server.stopped;
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  // --only-postgres: just the PostgreSQL comparison (which measures its own SQLite baseline in the same run).
  if (process.argv.includes('--only-postgres')) {
    await runPostgresComparison();
    return;
  }
  const [n] = sizesArg(process.argv, 'items', [20_000]);
  const [runs] = sizesArg(process.argv, 'runs', [3]);
  const [k] = sizesArg(process.argv, 'in-flight', [1]);
  if (k < 1) throw new Error('--in-flight: at least 1');
  const other = process.env.BENCH_SERVER_AB;
  console.log(`server bench: ${n} items over HTTP, ${k} request${k > 1 ? 's' : ''} in flight, ${runs} runs, ${await loadAverage()}${other ? `; A/B against ${other}` : ''}`);
  const all: PhaseFigure[][] = [];
  const others: PhaseFigure[][] = [];
  const line = (figures: PhaseFigure[]) =>
    figures.map((f) => `${f.name} ${(f.count / (f.httpMs / 1000)).toFixed(0)} ${f.unit} (server CPU ${f.serverCpuMs.toFixed(0)} ms)`).join(', ');
  for (let r = 0; r < runs; r++) {
    process.stdout.write(`  run ${r + 1}/${runs}… `);
    // A/B: the other checkout goes first in every other run, so neither side always runs on a warmer machine.
    // Both sides do the same work around their phases (snapshots, replays), so neither server idles longer.
    if (other && r % 2 === 1) others.push(await oneRun(n, r, k, other));
    const figures = await oneRun(n, r, k);
    all.push(figures);
    if (other && r % 2 === 0) others.push(await oneRun(n, r, k, other));
    console.log(`${line(figures)}; ${await loadAverage()}`);
    if (other) console.log(`     other: ${line(others[r])}`);
  }
  const fmt = (s: { min: number; median: number; max: number }, digits: number) =>
    `${s.min.toFixed(digits)} / ${s.median.toFixed(digits)} / ${s.max.toFixed(digits)}`;
  console.log(`\nresults (min / median / max of ${runs} runs; ratio = server throughput / raw SQL doing the same writes; ${await loadAverage()})`);
  for (let i = 0; i < all[0].length; i++) {
    const per = all.map((figures) => figures[i]);
    const rate = spread(per.map((f) => f.count / (f.httpMs / 1000)));
    const raw = spread(per.map((f) => f.count / (f.rawMs / 1000)));
    const ratio = spread(per.map((f) => f.rawMs / f.httpMs));
    console.log(`  ${per[0].name.padEnd(16)} ${fmt(rate, 0).padStart(26)} ${per[0].unit.padEnd(12)} ratio ${fmt(ratio, 3)}` +
      `   (raw same writes ${fmt(raw, 0)} ${per[0].unit}; ${per[0].rows} rows written; server CPU ${fmt(spread(per.map((f) => f.serverCpuMs)), 0)} ms,` +
      ` raw CPU ${fmt(spread(per.map((f) => f.rawCpuMs)), 0)} ms)`);
  }
  if (other) {
    console.log(`\nA/B: this checkout over ${other}, per run (< 1: this one is cheaper / faster)`);
    for (let i = 0; i < all[0].length; i++) {
      const cpu = spread(all.map((figures, r) => figures[i].serverCpuMs / others[r][i].serverCpuMs));
      const wall = spread(all.map((figures, r) => figures[i].httpMs / others[r][i].httpMs));
      const otherRatio = spread(others.map((figures) => figures[i].rawMs / figures[i].httpMs));
      console.log(`  ${all[0][i].name.padEnd(16)} server CPU ${fmt(cpu, 3)}   wall ${fmt(wall, 3)}   (the other's ratio to raw ${fmt(otherRatio, 3)})`);
    }
  }
  if (!process.argv.includes('--no-postgres')) await runPostgresComparison();
}
