// `npm run bench -- server [--items 20k] [--runs 3]`: the reference server's throughput over real HTTP on
// 127.0.0.1 (the server in a child process, so client and server do not share an event loop), each phase
// against a baseline of raw SQL doing the same writes: the rows the phase inserted and changed in every
// table (same rows, same indexes and triggers, the server's pragmas), replayed with prepared statements in
// as many transactions as the phase sent requests (see write-replay.ts). Three runs, min / median / max.
import { mkdtempSync, rmSync } from 'node:fs';
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

interface PhaseFigure { name: string; unit: string; count: number; httpMs: number; rawMs: number; rows: number }

/** Times one phase over HTTP and its same-writes replay. */
async function phase(dir: string, dbFile: string, name: string, unit: string, requests: () => number, fn: () => Promise<number>): Promise<PhaseFigure> {
  const tag = name.replace(/\W+/g, '-');
  const before = join(dir, `${tag}-before.sqlite`);
  const after = join(dir, `${tag}-after.sqlite`);
  snapshotDatabase(dbFile, before);
  const t0 = performance.now();
  const count = await fn();
  const httpMs = performance.now() - t0;
  snapshotDatabase(dbFile, after);
  const plan = planWrites(before, after);
  const rawMs = replayWrites(before, join(dir, `${tag}-replay.sqlite`), plan, requests());
  return { name, unit, count, httpMs, rawMs, rows: plan.rows };
}

async function oneRun(n: number, run: number): Promise<PhaseFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'desk-bench-server-'));
  const dbFile = join(dir, 'central.sqlite');
  const server = await spawnServer({ dbFile, seed: 'demo', maxLeasedPerUser: 1_000_000 });
  try {
    const reviewer = new CentralClient(server.url, 'demo-alice');
    const producer = reviewer.as('demo-ingest');
    const { queues } = await reviewer.queues();
    const queueId = queues[0].id;
    const rows = ingestItems(queueId, n, { source: 'bench', prefix: `run-${run}` });
    let requests = 0;
    const figures: PhaseFigure[] = [];

    figures.push(await phase(dir, dbFile, 'ingest', 'items/s', () => requests, async () => {
      requests = 0;
      for (let i = 0; i < n; i += MAX_INGEST_BATCH) {
        const res = await producer.ingest({ items: rows.slice(i, i + MAX_INGEST_BATCH) });
        requests++;
        if (res.created !== Math.min(MAX_INGEST_BATCH, n - i)) throw new Error(`ingest created ${res.created}`);
      }
      return n;
    }));

    // Claim the bench items (plus the demo items of this queue due earlier), then pull them all.
    let claimed: Item[] = [];
    figures.push(await phase(dir, dbFile, 'claim + pull', 'items/s', () => requests, async () => {
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

    const clientId = newClientId('bench');
    const mutations = approvals(claimed, 1);
    figures.push(await phase(dir, dbFile, 'push decisions', 'decisions/s', () => requests, async () => {
      requests = 0;
      for (let i = 0; i < n; i += MAX_PUSH_BATCH) {
        const res = await reviewer.push({ clientId, mutations: mutations.slice(i, i + MAX_PUSH_BATCH) });
        requests++;
        const bad = res.results.find((r) => r.status !== 'applied');
        if (bad) throw new Error(`push: mutation ${bad.mutationId} ${bad.status} ${bad.code}`);
      }
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
  console.log(`server bench: ${n} items over HTTP, ${runs} runs, ${await loadAverage()}`);
  const all: PhaseFigure[][] = [];
  for (let r = 0; r < runs; r++) {
    process.stdout.write(`  run ${r + 1}/${runs}… `);
    const figures = await oneRun(n, r);
    all.push(figures);
    console.log(figures.map((f) => `${f.name} ${(f.count / (f.httpMs / 1000)).toFixed(0)} ${f.unit}`).join(', '));
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
      `   (raw same writes ${fmt(raw, 0)} ${per[0].unit}; ${per[0].rows} rows written)`);
  }
  if (!process.argv.includes('--no-postgres')) await runPostgresComparison();
}
