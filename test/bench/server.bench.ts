// `npm run bench -- server`: the reference server's throughput over real HTTP on 127.0.0.1, against a
// baseline measured in the same run: raw better-sqlite3 inserts of the same rows into a similar table
// (same pragmas as the server: WAL, synchronous=FULL). Prints figures and ratios to the baseline. The server
// runs in a child process so the HTTP client and the server do not share one event loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { MAX_CLAIM_COUNT, MAX_INGEST_BATCH, MAX_PULL_LIMIT, MAX_PUSH_BATCH } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { CentralClient, approvals, ingestItems, newClientId } from '../helpers/central-client';
import { spawnServer } from '../helpers/server';

const N = 10_000;

type IngestRow = ReturnType<typeof ingestItems>[number];

/** The baseline: the same rows, one transaction, one prepared statement, a table shaped like the server's items. */
function rawInsertsPerSecond(file: string, rows: IngestRow[]): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE items (id TEXT PRIMARY KEY, source TEXT NOT NULL, external_id TEXT NOT NULL, queue_id TEXT NOT NULL,
    title TEXT NOT NULL, summary TEXT, confidence REAL, reasons TEXT NOT NULL, input TEXT NOT NULL, output TEXT NOT NULL,
    status TEXT NOT NULL, assignment_epoch INTEGER NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL,
    sla_due_at TEXT NOT NULL, notes TEXT NOT NULL, UNIQUE (source, external_id));
    CREATE INDEX items_claimable ON items (status, sla_due_at, id);`);
  const insert = db.prepare(`INSERT INTO items VALUES (@id, @source, @externalId, @queueId, @title, @summary, @confidence,
    @reasons, @input, @output, 'open', 0, 1, @at, @at, '[]')`);
  const at = new Date().toISOString();
  const t0 = performance.now();
  db.transaction(() => {
    rows.forEach((r, i) => insert.run({
      id: `b-${i}`, source: r.source, externalId: r.externalId, queueId: r.queueId, title: r.title, summary: r.summary,
      confidence: r.confidence, reasons: JSON.stringify(r.reasons), input: JSON.stringify(r.input), output: JSON.stringify(r.output), at,
    }));
  })();
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return rows.length / seconds;
}

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  process.stdout.write(`  ${label}… `);
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${seconds.toFixed(2)} s\n`);
  return { value, seconds };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'desk-bench-server-'));
  const server = await spawnServer({ dbFile: join(dir, 'central.sqlite'), seed: 'demo' });
  try {
    const anon = new CentralClient(server.url);
    const producer = anon.as('demo-ingest');
    const reviewer = anon.as('demo-alice');
    const { queues } = await reviewer.queues();
    const queueId = queues[0].id;
    const rows = ingestItems(queueId, N, { source: 'bench', prefix: `run-${Date.now()}` });
    console.log(`server bench: ${N.toLocaleString('en')} items over HTTP to a child-process server (${server.url}); load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
    // The machine is shared: the baseline runs before and after the server figures, and ratios use the mean.
    const before = await timed(`baseline (before): raw better-sqlite3 inserts of the same ${N} rows`, async () => rawInsertsPerSecond(join(dir, 'baseline-1.sqlite'), rows));

    const ingest = await timed(`ingest ${N} items in batches of ${MAX_INGEST_BATCH}`, async () => {
      for (let i = 0; i < N; i += MAX_INGEST_BATCH) {
        const res = await producer.ingest({ items: rows.slice(i, i + MAX_INGEST_BATCH) });
        if (res.created !== Math.min(MAX_INGEST_BATCH, N - i)) throw new Error(`ingest created ${res.created}`);
      }
    });

    // Claim our bench items (plus whatever demo items in this queue are due earlier), then pull them all.
    const claimPull = await timed(`claim + pull ${N} items`, async () => {
      const claimed: Item[] = [];
      for (;;) {
        const { items } = await reviewer.claim({ count: MAX_CLAIM_COUNT, queueIds: [queueId], leaseMinutes: 600 });
        claimed.push(...items);
        if (items.length < MAX_CLAIM_COUNT) break;
      }
      const pages = await reviewer.pullAll({ limit: MAX_PULL_LIMIT }, 1000);
      const pulled = pages.reduce((n, p) => n + p.upserts.length, 0);
      if (pulled < N) throw new Error(`pulled only ${pulled} items`);
      return claimed;
    });
    const claimedItems = claimPull.value.filter((i) => i.source === 'bench').slice(0, N);
    if (claimedItems.length < N) throw new Error(`claimed only ${claimedItems.length} bench items`);

    const clientId = newClientId('bench');
    const push = await timed(`push ${N} decisions in batches of ${MAX_PUSH_BATCH}`, async () => {
      const mutations = approvals(claimedItems, 1);
      for (let i = 0; i < N; i += MAX_PUSH_BATCH) {
        const res = await reviewer.push({ clientId, mutations: mutations.slice(i, i + MAX_PUSH_BATCH) });
        const bad = res.results.find((r) => r.status !== 'applied');
        if (bad) throw new Error(`push: mutation ${bad.mutationId} ${bad.status} ${bad.code}`);
      }
    });

    const after = await timed(`baseline (after): raw better-sqlite3 inserts of the same ${N} rows`, async () => rawInsertsPerSecond(join(dir, 'baseline-2.sqlite'), rows));
    const base = (before.value + after.value) / 2;
    const figures = [
      { name: 'ingest (items/s)', perSec: N / ingest.seconds, extra: '' },
      { name: 'claim + pull (items/s)', perSec: claimPull.value.length / claimPull.seconds, extra: ` (${claimPull.seconds.toFixed(2)} s for ${claimPull.value.length} items)` },
      { name: 'push decisions (decisions/s)', perSec: N / push.seconds, extra: '' },
    ];
    console.log('\nresults (ratio = figure / raw better-sqlite3 inserts/s, same machine, same run):');
    console.log(`  baseline raw inserts/s               ${Math.round(base).toLocaleString('en').padStart(10)}   ratio 1.000 (before ${Math.round(before.value)}, after ${Math.round(after.value)})`);
    for (const f of figures) {
      console.log(`  ${f.name.padEnd(36)} ${Math.round(f.perSec).toLocaleString('en').padStart(10)}   ratio ${(f.perSec / base).toFixed(3)}${f.extra}`);
    }
  } finally {
    await server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
