// The PostgreSQL part of `npm run bench -- server` (skip it with --no-postgres; size with --pg-items, default
// 10k): the same concurrent workload (ingest, claim + pull, push) on the SQLite single node (the baseline),
// on one PostgreSQL node, and on three PostgreSQL nodes behind a round-robin TCP balancer, all in the same
// run, on a throwaway cluster (test/helpers/pg-cluster.ts). Figures are ratios to the SQLite node, and
// ingest also to two floors on the same PostgreSQL: a raw multi-row INSERT of the same rows (items and their
// two events) and a server-side COPY of them from CSV files. Clients: 4 producers and 6 reviewers at once, so several nodes have work to share.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { MAX_CLAIM_COUNT, MAX_INGEST_BATCH, MAX_PULL_LIMIT, MAX_PUSH_BATCH } from '../../shared/central-api';
import type { Item } from '../../shared/domain';
import { createPgPool, openDatabase } from '../../server/db/connection';
import { newItemRow } from '../../server/services/ingest';
import { CentralClient, approvals, ingestItems, newClientId } from '../helpers/central-client';
import { addUsers } from '../helpers/extra-users';
import { startPgCluster, stopPgCluster, type PgCluster } from '../helpers/pg-cluster';
import { startRoundRobinProxy } from '../helpers/round-robin-proxy';
import { spawnServer, type SpawnedServer } from '../helpers/server';
import { loadAverage, sizesArg, spread } from './bench-stats';

const PRODUCERS = 4;
const REVIEWERS = 6;

interface Setup { name: string; figures: Record<string, number> }

async function createDb(cluster: PgCluster, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return cluster.url(name);
}

/** Runs the workload against `url` (a node or the balancer); returns items (or decisions) per second per phase. */
async function workload(url: string, dbTarget: string, n: number, tag: string): Promise<Record<string, number>> {
  const producer = new CentralClient(url, 'demo-ingest');
  const { queues } = await producer.queues();
  const queueId = queues[0].id;
  const users = Array.from({ length: REVIEWERS }, (_, i) => ({ id: `bench-${tag}-${i}`, roles: ['reviewer' as const] }));
  const tokens = await addUsers(dbTarget, users);
  const reviewers = users.map((u) => new CentralClient(url, tokens[u.id]));
  const rows = ingestItems(queueId, n, { source: `bench-${tag}` });
  const out: Record<string, number> = {};

  let t0 = performance.now();
  const batches: (typeof rows)[] = [];
  for (let i = 0; i < n; i += MAX_INGEST_BATCH) batches.push(rows.slice(i, i + MAX_INGEST_BATCH));
  await Promise.all(Array.from({ length: PRODUCERS }, async (_, p) => {
    for (let b = p; b < batches.length; b += PRODUCERS) await producer.ingest({ items: batches[b] });
  }));
  out.ingest = n / ((performance.now() - t0) / 1000);

  t0 = performance.now();
  const claimed = await Promise.all(reviewers.map(async (r) => {
    const mine: Item[] = [];
    for (;;) {
      const { items } = await r.claim({ count: MAX_CLAIM_COUNT, queueIds: [queueId], leaseMinutes: 600 });
      mine.push(...items);
      if (items.length === 0) break;
    }
    await r.pullAll({ limit: MAX_PULL_LIMIT }, 1000);
    return mine;
  }));
  const total = claimed.reduce((k, c) => k + c.length, 0);
  out['claim + pull'] = total / ((performance.now() - t0) / 1000);

  t0 = performance.now();
  await Promise.all(reviewers.map(async (r, i) => {
    const clientId = newClientId(`bench-${tag}`);
    const mutations = approvals(claimed[i], 1);
    for (let k = 0; k < mutations.length; k += MAX_PUSH_BATCH) {
      const res = await r.push({ clientId, mutations: mutations.slice(k, k + MAX_PUSH_BATCH) });
      const bad = res.results.find((x) => x.status !== 'applied');
      if (bad) throw new Error(`push: ${bad.status} ${bad.code}`);
    }
  }));
  out.push = total / ((performance.now() - t0) / 1000);
  return out;
}

/** The floor: the same item rows and their two events, multi-row INSERTs of 1,000 rows, one transaction each. */
async function rawInsert(url: string, n: number): Promise<number> {
  const opened = await openDatabase(url);
  const queue = { id: 'raw', workflow: 'w', stage: 's', exceptionClass: 'policy' };
  await opened.db.insertInto('users').values({ id: 'raw', name: 'raw', roles: '[]', created_at: '2026-01-01T00:00:00.000Z' }).execute();
  await opened.db.insertInto('queues').values({ id: 'raw', name: 'raw', workflow: 'w', stage: 's', exception_class: 'policy', owner_id: 'raw',
    sla_target_minutes: 60, idle_threshold_sec: 60, reason_codes: '[]', created_at: '2026-01-01T00:00:00.000Z' }).execute();
  await opened.close();
  const pool = await createPgPool(url, 2);
  const at = new Date().toISOString();
  const items = ingestItems('raw', n, { source: 'raw' }).map((it, i) => newItemRow(`raw_${i}`, it, queue, at, at));
  const cols = Object.keys(items[0]);
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1000) {
    const chunk = items.slice(i, i + 1000);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const values: unknown[] = [];
      const tuples = chunk.map((row) => `(${cols.map((c) => { values.push((row as Record<string, unknown>)[c]); return `$${values.length}`; }).join(',')})`);
      await client.query(`INSERT INTO items (${cols.join(',')}) VALUES ${tuples.join(',')}`, values);
      const ev: unknown[] = [];
      const evTuples = chunk.flatMap((row) => ['created', 'enqueued'].map((type) => {
        ev.push(row.id, type, 'raw', at, 0, '{}');
        const k = ev.length;
        return `($${k - 5},$${k - 4},$${k - 3},$${k - 2},$${k - 1},$${k})`;
      }));
      await client.query(`INSERT INTO item_events (item_id, type, actor_id, at, assignment_epoch, payload) VALUES ${evTuples.join(',')}`, ev);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
  const rate = n / ((performance.now() - t0) / 1000);
  await pool.end();
  return rate;
}

const csvField = (v: unknown) => (v === null || v === undefined ? '' : `"${String(v).replace(/"/g, '""')}"`);

/**
 * The lowest floor: the same item rows and their two events loaded with COPY … FROM a CSV file (server side,
 * so the file sits in the cluster's folder; the test cluster's role is a superuser), one transaction. Only the
 * COPY is timed, not writing the files.
 */
async function rawCopy(cluster: PgCluster, url: string, n: number): Promise<number> {
  const opened = await openDatabase(url);
  const queue = { id: 'raw', workflow: 'w', stage: 's', exceptionClass: 'policy' };
  await opened.db.insertInto('users').values({ id: 'raw', name: 'raw', roles: '[]', created_at: '2026-01-01T00:00:00.000Z' }).execute();
  await opened.db.insertInto('queues').values({ id: 'raw', name: 'raw', workflow: 'w', stage: 's', exception_class: 'policy', owner_id: 'raw',
    sla_target_minutes: 60, idle_threshold_sec: 60, reason_codes: '[]', created_at: '2026-01-01T00:00:00.000Z' }).execute();
  await opened.close();
  const at = new Date().toISOString();
  const items = ingestItems('raw', n, { source: 'raw' }).map((it, i) => newItemRow(`raw_${i}`, it, queue, at, at));
  const cols = Object.keys(items[0]);
  const itemsFile = join(cluster.dir, 'bench-items.csv');
  const eventsFile = join(cluster.dir, 'bench-events.csv');
  writeFileSync(itemsFile, items.map((row) => cols.map((c) => csvField((row as Record<string, unknown>)[c])).join(',')).join('\n'));
  writeFileSync(eventsFile, items.flatMap((row) => ['created', 'enqueued'].map((type) => [row.id, type, 'raw', at, 0, '{}'].map(csvField).join(','))).join('\n'));
  for (const f of [itemsFile, eventsFile]) chmodSync(f, 0o644);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t0 = performance.now();
    await client.query('BEGIN');
    await client.query(`COPY items (${cols.join(',')}) FROM '${itemsFile}' WITH (FORMAT csv)`);
    await client.query(`COPY item_events (item_id, type, actor_id, at, assignment_epoch, payload) FROM '${eventsFile}' WITH (FORMAT csv)`);
    await client.query('COMMIT');
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await client.end();
    rmSync(itemsFile, { force: true });
    rmSync(eventsFile, { force: true });
  }
}

async function oneRun(cluster: PgCluster, n: number, run: number): Promise<{ setups: Setup[]; raw: number; copy: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'desk-bench-pg-'));
  const nodes: SpawnedServer[] = [];
  try {
    const setups: Setup[] = [];
    const sqliteFile = join(dir, 'central.sqlite');
    nodes.push(await spawnServer({ dbFile: sqliteFile, seed: 'demo' }));
    setups.push({ name: 'SQLite, 1 node', figures: await workload(nodes[0].url, sqliteFile, n, `s${run}`) });
    await nodes.pop()!.kill('SIGTERM');

    const one = await createDb(cluster, `bench_one_${run}`);
    nodes.push(await spawnServer({ dbFile: one, seed: 'demo' }));
    setups.push({ name: 'PostgreSQL, 1 node', figures: await workload(nodes[0].url, one, n, `p1${run}`) });
    await nodes.pop()!.kill('SIGTERM');

    const three = await createDb(cluster, `bench_three_${run}`);
    nodes.push(await spawnServer({ dbFile: three, seed: 'demo' }));
    nodes.push(...await Promise.all([1, 2].map(() => spawnServer({ dbFile: three }))));
    const lb = await startRoundRobinProxy(nodes.map((x) => x.port));
    try {
      setups.push({ name: 'PostgreSQL, 3 nodes', figures: await workload(lb.url, three, n, `p3${run}`) });
    } finally {
      await lb.close();
    }
    for (const x of nodes.splice(0)) await x.kill('SIGTERM');
    const raw = await rawInsert(await createDb(cluster, `bench_raw_${run}`), n);
    const copy = await rawCopy(cluster, await createDb(cluster, `bench_copy_${run}`), n);
    return { setups, raw, copy };
  } finally {
    for (const x of nodes) await x.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runPostgresComparison(): Promise<void> {
  const [n] = sizesArg(process.argv, 'pg-items', [10_000]);
  const [runs] = sizesArg(process.argv, 'runs', [3]);
  console.log(`\nserver on PostgreSQL: ${n} items, ${PRODUCERS} producers and ${REVIEWERS} reviewers at once, ${runs} runs, ${await loadAverage()}`);
  const cluster = await startPgCluster();
  try {
    const all: { setups: Setup[]; raw: number; copy: number }[] = [];
    for (let r = 0; r < runs; r++) {
      process.stdout.write(`  run ${r + 1}/${runs}… `);
      const res = await oneRun(cluster, n, r);
      all.push(res);
      console.log(res.setups.map((s) => `${s.name}: ${Object.entries(s.figures).map(([k, v]) => `${k} ${v.toFixed(0)}/s`).join(', ')}`).join('; '));
    }
    const fmt = (s: { min: number; median: number; max: number }, d: number) => `${s.min.toFixed(d)} / ${s.median.toFixed(d)} / ${s.max.toFixed(d)}`;
    console.log(`\nresults (min / median / max of ${runs} runs; ratio = throughput / SQLite single node in the same run; ${await loadAverage()})`);
    for (const phase of Object.keys(all[0].setups[0].figures)) {
      for (let s = 0; s < all[0].setups.length; s++) {
        const rate = spread(all.map((a) => a.setups[s].figures[phase]));
        const ratio = spread(all.map((a) => a.setups[s].figures[phase] / a.setups[0].figures[phase]));
        console.log(`  ${phase.padEnd(13)} ${all[0].setups[s].name.padEnd(20)} ${fmt(rate, 0).padStart(22)} /s   ratio ${fmt(ratio, 2)}`);
      }
    }
    const raw = spread(all.map((a) => a.raw));
    const ingestVsRaw = spread(all.map((a) => a.setups[1].figures.ingest / a.raw));
    const ingest3VsRaw = spread(all.map((a) => a.setups[2].figures.ingest / a.raw));
    console.log(`  raw multi-row INSERT of the same item rows + events on the same PostgreSQL: ${fmt(raw, 0)} items/s;` +
      ` ingest over HTTP / raw: 1 node ${fmt(ingestVsRaw, 2)}, 3 nodes ${fmt(ingest3VsRaw, 2)}`);
    const copy = spread(all.map((a) => a.copy));
    const ingestVsCopy = spread(all.map((a) => a.setups[1].figures.ingest / a.copy));
    const ingest3VsCopy = spread(all.map((a) => a.setups[2].figures.ingest / a.copy));
    console.log(`  COPY of the same item rows + events from CSV on the same PostgreSQL: ${fmt(copy, 0)} items/s;` +
      ` ingest over HTTP / COPY: 1 node ${fmt(ingestVsCopy, 2)}, 3 nodes ${fmt(ingest3VsCopy, 2)}`);
    const grow = (phase: string) => fmt(spread(all.map((a) => a.setups[2].figures[phase] / a.setups[1].figures[phase])), 2);
    console.log(`  PostgreSQL 3 nodes / 1 node: ${Object.keys(all[0].setups[0].figures).map((p) => `${p} ${grow(p)}`).join(', ')} (${cpus().length} cores)`);
  } finally {
    stopPgCluster(cluster.dir);
  }
}
