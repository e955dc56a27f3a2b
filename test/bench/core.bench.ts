// `npm run bench -- core`: the workstation core against DESIGN §10, each figure with its ratio to a raw
// better-sqlite3 baseline measured in the same run on the same rows.
//  1. initial sync of 100k items from the reference server into the cache (items/s) vs raw inserts;
//  2. decision write (triage.decide through the dispatcher, in-process) p50 / p99 vs a raw
//     synchronous=FULL transaction of the same shape (outbox insert + item update);
//  3. a queue page with filter and sort over the 100k rows p50 / p95 vs the same raw SQL query;
//  4. a queue page with only a text filter (rare, common and absent terms, each sort key) p50 / p95, against
//     the same raw baseline as 3.
// Ingesting the items and claiming them for the reviewer is set-up, not timed.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCore } from '../../electron/core/index';
import type { DeskInput, DeskMethod, DeskOutput } from '../../shared/desk-api';
import { EXCEPTION_CLASSES, type Item } from '../../shared/domain';
import { CentralClient, ingestItems } from '../helpers/central-client';
import { spawnServer } from '../helpers/server';

const N = Number(process.env.BENCH_ITEMS ?? 100_000);
const DECISIONS = 1_000;
const PAGE_RUNS = 200;

type Core = Awaited<ReturnType<typeof createCore>>;

async function ok<M extends DeskMethod>(core: Core, method: M, input: DeskInput<M>): Promise<DeskOutput<M>> {
  const r = await core.call(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.value as DeskOutput<M>;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const ms = (x: number) => `${x.toFixed(3)} ms`;
const progress = (label: string, done: number, total: number) => process.stdout.write(`\r  ${label}: ${done}/${total}   `);

async function seedServer(url: string): Promise<void> {
  const ingest = new CentralClient(url, 'demo-ingest');
  const alice = new CentralClient(url, 'demo-alice');
  const { queues } = await alice.queues();
  const batches = Math.ceil(N / 1000);
  for (let b = 0; b < batches; b++) {
    const q = queues[b % queues.length];
    await ingest.ingest({ items: ingestItems(q.id, Math.min(1000, N - b * 1000), { source: 'bench', prefix: `b${b}`, start: b * 1000 }) });
    progress('ingest', Math.min(N, (b + 1) * 1000), N);
  }
  process.stdout.write('\n');
  let claimed = 0;
  while (claimed < N) {
    const { items } = await alice.claim({ count: Math.min(1000, N - claimed), leaseMinutes: 7 * 24 * 60 });
    claimed += items.length;
    progress('claim for alice', claimed, N);
    if (items.length === 0) break;
  }
  process.stdout.write('\n');
}

async function pullEverything(url: string): Promise<Item[]> {
  const alice = new CentralClient(url, 'demo-alice');
  const byId = new Map<string, Item>();
  for (const page of await alice.pullAll({ limit: 1000 }, 1000)) for (const it of page.upserts) byId.set(it.id, it);
  return [...byId.values()];
}

/** Raw better-sqlite3: the same rows, one transaction per 1,000 (a pull page), plain prepared inserts. */
function rawBaseline(file: string, items: Item[]) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE items (id TEXT PRIMARY KEY, queue_id TEXT, class TEXT, status TEXT, confidence REAL,
    sla_due_ms INTEGER, enqueued_ms INTEGER, title_lc TEXT, json TEXT);
    CREATE TABLE outbox (mutation_id INTEGER PRIMARY KEY, item_id TEXT, kind TEXT, payload TEXT, at TEXT, state TEXT);`);
  const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insertPage = db.transaction((page: Item[]) => {
    for (const it of page) {
      insert.run(it.id, it.queueId, it.exceptionClass, it.status, it.confidence, Date.parse(it.slaDueAt), Date.parse(it.enqueuedAt),
        it.title.toLowerCase(), JSON.stringify(it));
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < items.length; i += 1000) insertPage(items.slice(i, i + 1000));
  const insertMs = performance.now() - t0;
  db.exec('CREATE INDEX items_class_conf ON items (class, confidence, id); CREATE INDEX items_sla ON items (sla_due_ms, id);');

  const decide = db.transaction((id: string, n: number) => {
    db.prepare('INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?)').run(n, id, 'approve', '{}', new Date().toISOString(), 'pending');
    db.prepare("UPDATE items SET status = 'resolved' WHERE id = ?").run(id);
  });
  const decideTimes: number[] = [];
  for (let i = 0; i < DECISIONS; i++) {
    const s = performance.now();
    decide(items[items.length - 1 - i].id, i + 1);
    decideTimes.push(performance.now() - s);
  }

  const pageStmt = db.prepare(`SELECT id, title_lc, class, queue_id, confidence, sla_due_ms, enqueued_ms, status FROM items
    WHERE class = ? AND status = 'leased' AND title_lc LIKE ? ORDER BY confidence DESC, id LIMIT 100 OFFSET ?`);
  const countStmt = db.prepare(`SELECT count(*) AS n FROM items WHERE class = ? AND status = 'leased' AND title_lc LIKE ?`);
  const pageTimes: number[] = [];
  for (let i = 0; i < PAGE_RUNS; i++) {
    const cls = EXCEPTION_CLASSES[i % EXCEPTION_CLASSES.length];
    const s = performance.now();
    countStmt.get(cls, '%inv-1%');
    pageStmt.all(cls, '%inv-1%', (i * 37) % 2000);
    pageTimes.push(performance.now() - s);
  }
  db.close();
  return { insertMs, decideTimes, pageTimes };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'desk-core-bench-'));
  const server = await spawnServer({ dbFile: join(dir, 'server.sqlite'), port: 0, seed: 'demo' });
  let core: Core | null = null;
  try {
    console.log(`set-up (not timed): ingest ${N} items and claim them for alice`);
    await seedServer(server.url);
    const tPull = performance.now();
    const items = await pullEverything(server.url);
    const pullOnlyMs = performance.now() - tPull;
    console.log(`  alice holds ${items.length} items`);

    // 1. Initial sync into an empty cache.
    core = await createCore({ cacheFile: join(dir, 'cache.sqlite'), autoSync: false });
    const t0 = performance.now();
    await ok(core, 'session.connect', { serverUrl: server.url, token: 'demo-alice' });
    let status = await ok(core, 'sync.now', {});
    while (status.assigned < items.length && status.state !== 'error') {
      await new Promise((r) => setTimeout(r, 20));
      status = await ok(core, 'sync.status', {});
      if (status.state !== 'syncing' && status.assigned < items.length) status = await ok(core, 'sync.now', {});
    }
    const syncMs = performance.now() - t0;
    if (status.assigned < items.length) throw new Error(`initial sync stopped at ${status.assigned}/${items.length}: ${status.lastError}`);

    const baseline = rawBaseline(join(dir, 'raw.sqlite'), items);
    const coreRate = items.length / (syncMs / 1000);
    const rawRate = items.length / (baseline.insertMs / 1000);

    // 2. Decision writes through the dispatcher.
    const rows = (await ok(core, 'queue.page', { filter: { statuses: ['leased'] }, limit: 1000 })).rows;
    const decideTimes: number[] = [];
    for (const row of rows.slice(0, DECISIONS)) {
      const s = performance.now();
      await ok(core, 'triage.decide', { itemId: row.id, kind: 'approve', payload: { comment: 'bench' } });
      decideTimes.push(performance.now() - s);
    }

    // 3. Queue pages with filter and sort.
    const pageTimes: number[] = [];
    let total = 0;
    for (let i = 0; i < PAGE_RUNS; i++) {
      const cls = EXCEPTION_CLASSES[i % EXCEPTION_CLASSES.length];
      const s = performance.now();
      const page = await ok(core, 'queue.page', {
        filter: { classes: [cls], statuses: ['leased'], text: 'INV-1' },
        sort: { by: 'confidence', dir: 'desc' },
        offset: (i * 37) % 2000,
        limit: 100,
      });
      pageTimes.push(performance.now() - s);
      total = Math.max(total, page.total);
    }

    // 4. Text filter alone: a new term on most runs (so its total is not cached), every sort key.
    const sorts = [['slaDue', 'asc'], ['confidence', 'desc'], ['age', 'asc'], ['slaDue', 'desc'], ['confidence', 'asc'], ['age', 'desc']] as const;
    const textTimes: number[] = [];
    for (let i = 0; i < PAGE_RUNS; i++) {
      const kind = i % 4;
      const text = kind === 0 ? `INV-${100000 + ((i * 7919) % N)}` : kind === 1 ? `INV-1${String(i % 97).padStart(2, '0')}`
        : kind === 2 ? (i % 8 === 2 ? 'total' : 'line items') : `vendor ${i}`;
      const [by, dir] = sorts[i % sorts.length];
      const s = performance.now();
      await ok(core, 'queue.page', { filter: { text }, sort: { by, dir }, offset: 0, limit: 100 });
      textTimes.push(performance.now() - s);
    }

    const line = (label: string, value: string, ratio: number, note: string) =>
      console.log(`${label.padEnd(34)} ${value.padStart(16)}   ratio ${ratio.toFixed(2)} ${note}`);
    console.log(`\nresults (${items.length} items; baseline = raw better-sqlite3 on the same rows, same run)`);
    line('initial sync (items/s)', coreRate.toFixed(0), coreRate / rawRate, `of raw insert ${rawRate.toFixed(0)} items/s (higher is better)`);
    const pullOnlyRate = items.length / (pullOnlyMs / 1000);
    line('  (server pull alone, no cache)', pullOnlyRate.toFixed(0), coreRate / pullOnlyRate, 'core sync rate / bare HTTP pull+parse rate (the network-side ceiling)');
    line('decision write p50', ms(pct(decideTimes, 50)), pct(decideTimes, 50) / pct(baseline.decideTimes, 50), `x raw ${ms(pct(baseline.decideTimes, 50))}`);
    line('decision write p99', ms(pct(decideTimes, 99)), pct(decideTimes, 99) / pct(baseline.decideTimes, 99), `x raw ${ms(pct(baseline.decideTimes, 99))}`);
    line('queue page filter+sort p50', ms(pct(pageTimes, 50)), pct(pageTimes, 50) / pct(baseline.pageTimes, 50), `x raw ${ms(pct(baseline.pageTimes, 50))} (total ${total})`);
    line('queue page filter+sort p95', ms(pct(pageTimes, 95)), pct(pageTimes, 95) / pct(baseline.pageTimes, 95), `x raw ${ms(pct(baseline.pageTimes, 95))}`);
    line('queue page text filter p50', ms(pct(textTimes, 50)), pct(textTimes, 50) / pct(baseline.pageTimes, 50), `x raw ${ms(pct(baseline.pageTimes, 50))} (goal: < 100 ms)`);
    line('queue page text filter p95', ms(pct(textTimes, 95)), pct(textTimes, 95) / pct(baseline.pageTimes, 95), `x raw ${ms(pct(baseline.pageTimes, 95))}`);
  } finally {
    await core?.close();
    await server.kill('SIGTERM');
    await server.stopped;
    // BENCH_KEEP=1 keeps the caches for a closer look (query plans, migrations on a big cache).
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
